-- House rule: policies name their role (`to authenticated`). A policy without `to` applies
-- to PUBLIC, including anon, and is evaluated for anonymous requests too (Supabase's RLS
-- guide: adding `to authenticated` took anon queries from 170 ms to under 0.1 ms).
select format('%I.%I: %s', schemaname, tablename, policyname) as object,
       'policy applies to PUBLIC; name the role (to authenticated)' as detail
from pg_policies
where roles = array['public']::name[]
  and schemaname in ('public', 'graphql_public', 'private', 'audit')
order by 1;
