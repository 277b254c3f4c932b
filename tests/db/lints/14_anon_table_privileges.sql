-- House rule: explicit grants, nothing to anon. Lists every table or column privilege that
-- anon or PUBLIC holds in the project's schemas. Default privileges are not relied upon: a
-- table created without grants is unreachable until a migration grants exactly what it needs.
select distinct format('%I.%I', table_schema, table_name) as object,
       format('%s holds %s', grantee, privilege_type) as detail
from information_schema.role_table_grants
where grantee in ('anon', 'PUBLIC')
  and table_schema in ('public', 'graphql_public', 'private', 'audit')
union
select distinct format('%I.%I', table_schema, table_name),
       format('%s holds %s on column %s', grantee, privilege_type, column_name)
from information_schema.column_privileges
where grantee in ('anon', 'PUBLIC')
  and table_schema in ('public', 'graphql_public', 'private', 'audit')
order by 1;
