-- policy_exists_rls_disabled (Supabase advisor 0007)
-- Policies were written but row level security is off, so none of them is enforced.
select distinct format('%I.%I', n.nspname, c.relname) as object,
       'has policies but row level security is disabled' as detail
from pg_policy p
join pg_class c on c.oid = p.polrelid
join pg_namespace n on n.oid = c.relnamespace
where not c.relrowsecurity
order by 1;
