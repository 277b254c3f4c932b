-- Policies added since 20261122960000 (prepayments, refunds) read the fast path directly.
-- See private.inline_policy_scope_helpers(); lint scope_helper_not_inlined.
select count(*) from private.inline_policy_scope_helpers();
