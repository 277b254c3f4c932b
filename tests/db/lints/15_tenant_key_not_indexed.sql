-- House rule: every tenant-owned table (one with a company_id column) has an index that
-- leads with company_id, so policies and tenant-scoped queries never scan other tenants' rows.
select format('%I.%I', n.nspname, c.relname) as object,
       'has company_id but no index leading with it' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attname = 'company_id' and not a.attisdropped
where c.relkind in ('r', 'p')
  and n.nspname in ('public', 'audit')
  and not exists (
    select 1 from pg_index i
    where i.indrelid = c.oid and (string_to_array(i.indkey::text, ' ')::int2[])[1] = a.attnum
  )
order by 1;
