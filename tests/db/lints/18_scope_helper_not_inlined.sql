-- scope_helper_not_inlined (project rule, migration 20261122960000)
-- Policies read the caller's prepared scope directly: a policy that still calls a scope helper
-- (my_unit_ids, communities_with_permission, …) with constant arguments is correct but pays
-- the helper's inlining on every plan. A migration that adds policies ends with
-- `select count(*) from private.inline_policy_scope_helpers();`.
select object, 'calls a scope helper; end the migration with select count(*) from private.inline_policy_scope_helpers()' as detail
from private.inline_policy_scope_helpers(false) as object
order by 1;
