-- unindexed_foreign_keys (Supabase advisor 0001)
-- A foreign key without an index whose leading columns are exactly the key's columns: every
-- delete or key update on the parent scans the child table, and joins along it are slow.
-- Partial indexes do not count (the foreign-key checks cannot use them).
select format('%I.%I: %s', n.nspname, c.relname, con.conname) as object,
       format('foreign key (%s) has no index leading with those columns',
              (select string_agg(a.attname, ', ' order by k.i)
               from unnest(con.conkey) with ordinality as k (attnum, i)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum)) as detail
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype = 'f'
  and n.nspname in ('public', 'private', 'audit', 'storage')
  and not exists (
    select 1
    from pg_index i
    where i.indrelid = con.conrelid
      and i.indpred is null
      and (select array_agg(k order by k) from unnest((string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]) as k)
        = (select array_agg(k order by k) from unnest(con.conkey) as k)
  )
order by 1;
