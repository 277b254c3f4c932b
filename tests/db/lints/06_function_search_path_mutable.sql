-- function_search_path_mutable (Supabase advisor 0011)
-- A function without `set search_path` resolves names through the caller's search_path; a
-- security definer one can then be tricked into running the caller's objects with the
-- owner's rights. Every function in the project's schemas, and every security definer
-- function anywhere, must pin it (`set search_path = ''`). Exempt: security invoker functions
-- with a SQL-standard body (`return …` / `begin atomic`), whose names are bound when they are
-- created (prosqlbody), so no search_path can redirect them; the RLS fast-path wrappers use
-- that form because a SET clause would stop the planner from inlining them.
select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as object,
       case when p.prosecdef
         then 'security definer function without a fixed search_path'
         else 'function without a fixed search_path' end as detail
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where p.prokind in ('f', 'p')
  and (n.nspname in ('public', 'private', 'audit') or (p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')))
  and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) as cfg where cfg like 'search_path=%')
  and not (p.prosqlbody is not null and not p.prosecdef)
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by 1;
