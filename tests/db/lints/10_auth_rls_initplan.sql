-- auth_rls_initplan (Supabase advisor 0003)
-- A policy that calls auth.uid()/auth.jwt()/auth.role()/auth.email(), current_setting(), or a
-- private helper with only constant arguments outside a `(select …)` sub-select re-evaluates it
-- for every row instead of once per statement (179 ms → 9 ms on 100k rows in Supabase's RLS
-- guide).
--
-- Checked on the stored expression tree, not on deparsed text: a call counts as wrapped when a
-- SUBLINK node encloses it (at any depth, so calls inside an inlined fast-path read,
-- migration 20261122960000, count too), and as constant when no column (VAR node) appears
-- among its arguments. Node trees print constants as byte lists, so braces only delimit nodes.
with trees as (
  select row_number() over () as tid, n.nspname as schemaname, c.relname as tablename, p.polname as policyname, t.tree
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
  cross join lateral (values (p.polqual::text), (p.polwithcheck::text)) as t (tree)
  where n.nspname in ('public', 'graphql_public', 'private', 'audit', 'storage')
    and t.tree is not null
),
tokens as materialized (
  -- depth after each token: +1 for a node opening, -1 for a closing brace
  select tr.tid, m.ord, m.tok[1] as node, m.tok[2]::oid as funcid,
         sum(case when m.tok[1] is null then -1 else 1 end) over (partition by tr.tid order by m.ord) as depth
  from trees tr
  cross join lateral regexp_matches(tr.tree, '(?:\{([A-Z_]+)(?: :funcid (\d+))?)|(\})', 'g') with ordinality as m (tok, ord)
),
spans as materialized (
  -- each node that matters here, from its opening token to its closing brace
  select o.tid, o.node, o.funcid, o.ord as open_ord, min(cl.ord) as close_ord
  from tokens o
  join tokens cl on cl.tid = o.tid and cl.depth = o.depth - 1 and cl.node is null and cl.ord > o.ord
  where o.node in ('FUNCEXPR', 'SUBLINK')
  group by o.tid, o.node, o.funcid, o.ord
),
calls as (
  select s.*
  from spans s
  join pg_proc f on f.oid = s.funcid
  join pg_namespace fn on fn.oid = f.pronamespace
  where s.node = 'FUNCEXPR'
    and (fn.nspname = 'private'
         or (fn.nspname = 'auth' and f.proname in ('uid', 'jwt', 'role', 'email'))
         or (fn.nspname = 'pg_catalog' and f.proname = 'current_setting'))
)
select distinct format('%I.%I: %s', t.schemaname, t.tablename, t.policyname) as object,
       'calls auth.*(), current_setting() or a constant private helper per row; wrap it as (select …)' as detail
from calls c
join trees t on t.tid = c.tid
where not exists (  -- constant: no column among its arguments
    select 1 from tokens v where v.tid = c.tid and v.node = 'VAR' and v.ord > c.open_ord and v.ord < c.close_ord)
  and not exists (  -- not inside a sub-select
    select 1 from spans s where s.tid = c.tid and s.node = 'SUBLINK' and s.open_ord < c.open_ord and s.close_ord > c.close_ord)
order by 1;
