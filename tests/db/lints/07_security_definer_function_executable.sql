-- anon_security_definer_function_executable / authenticated_security_definer_function_executable
-- (Supabase advisor 0028, 0029)
-- A security definer function runs with its owner's rights. None may be executable by anon
-- (functions are executable by PUBLIC unless revoked), and none in an API-exposed schema may
-- be executable by authenticated (it would be callable as /rest/v1/rpc/<name>). Helpers for
-- policies and server code live in the unexposed `private` schema and are granted one by one.
select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object,
       'security definer function executable by anon' as detail
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where p.prosecdef
  and n.nspname not in ('pg_catalog', 'information_schema')
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
  and has_function_privilege('anon', p.oid, 'execute')
union all
select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
       'security definer function in an API-exposed schema executable by authenticated'
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where p.prosecdef
  and n.nspname in ('public', 'graphql_public')
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
  and has_function_privilege('authenticated', p.oid, 'execute')
order by 1;
