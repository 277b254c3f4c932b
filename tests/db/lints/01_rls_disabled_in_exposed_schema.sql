-- rls_disabled_in_public (Supabase advisor 0013)
-- A table in a schema the Data API exposes (public, storage, graphql_public) or in one of
-- this project's own schemas (private, audit) without row level security: every role with a
-- grant reads and writes every row, in every tenant.
select format('%I.%I', n.nspname, c.relname) as object,
       'row level security is disabled' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and n.nspname in ('public', 'storage', 'graphql_public', 'private', 'audit')
  and not c.relrowsecurity
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
order by 1;
