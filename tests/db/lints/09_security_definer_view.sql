-- security_definer_view (Supabase advisor 0010)
-- A view runs with its owner's rights unless created `with (security_invoker = true)`
-- (PostgreSQL 15+): the owner bypasses RLS, so the view leaks every tenant's rows.
select format('%I.%I', n.nspname, c.relname) as object,
       'view is not security_invoker' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'v'
  and n.nspname in ('public', 'graphql_public')
  and not coalesce(c.reloptions && array['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false)
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
order by 1;
