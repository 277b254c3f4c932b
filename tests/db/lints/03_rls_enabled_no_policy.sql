-- rls_enabled_no_policy (Supabase advisor 0008)
-- Row level security is on but no policy exists: the table silently denies everything to API
-- roles. Usually a forgotten migration step. Checked in the API-exposed schemas and audit.
-- (Supabase-managed storage tables are the platform's concern and are left out.)
select format('%I.%I', n.nspname, c.relname) as object,
       'row level security is enabled but there is no policy' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and n.nspname in ('public', 'graphql_public', 'audit')
  and c.relrowsecurity
  and not exists (select 1 from pg_policy p where p.polrelid = c.oid)
order by 1;
