-- auth_users_exposed (Supabase advisor 0002)
-- A view or materialized view in an API-exposed schema that reads auth.users and that anon
-- or authenticated may select: it publishes phone numbers and e-mail addresses of every account.
select distinct format('%I.%I', n.nspname, c.relname) as object,
       'view exposes auth.users to API roles' as detail
from pg_depend d
join pg_rewrite r on r.oid = d.objid and d.classid = 'pg_rewrite'::regclass
join pg_class c on c.oid = r.ev_class
join pg_namespace n on n.oid = c.relnamespace
where d.refobjid = 'auth.users'::regclass
  and c.relkind in ('v', 'm')
  and n.nspname in ('public', 'graphql_public')
  and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
order by 1;
