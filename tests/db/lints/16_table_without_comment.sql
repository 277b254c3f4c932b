-- House rule: migrations are documented; every table in the project's schemas has a
-- `comment on table` saying what it holds and who may see it.
select format('%I.%I', n.nspname, c.relname) as object,
       'table has no comment' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm')
  and n.nspname in ('public', 'private', 'audit')
  and obj_description(c.oid, 'pg_class') is null
  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
order by 1;
