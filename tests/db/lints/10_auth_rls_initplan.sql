-- auth_rls_initplan (Supabase advisor 0003)
-- A policy that calls auth.uid()/auth.jwt()/auth.role()/auth.email(), current_setting(), or a
-- private helper with only constant arguments, without wrapping it as `(select …)`,
-- re-evaluates it for every row instead of once per statement (179 ms → 9 ms on 100k rows
-- in Supabase's RLS guide). Wrapped calls deparse as `( SELECT fn(...) AS ...)`.
with expressions as (
  select schemaname, tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr
  from pg_policies
  where schemaname in ('public', 'graphql_public', 'private', 'audit', 'storage')
),
counted as (
  select *,
    regexp_count(expr, '(auth\.(uid|jwt|role|email)\(\)|current_setting\()') as auth_calls,
    regexp_count(expr, 'SELECT (auth\.(uid|jwt|role|email)\(\)|current_setting\()') as auth_wrapped,
    regexp_count(expr, 'private\.[a-z_0-9]+\(((NULL|''[^'']*'')(::[a-z_."]+(\[\])?)?(, )?)*\)') as const_calls,
    regexp_count(expr, 'SELECT private\.[a-z_0-9]+\(((NULL|''[^'']*'')(::[a-z_."]+(\[\])?)?(, )?)*\)') as const_wrapped
  from expressions
)
select format('%I.%I: %s', schemaname, tablename, policyname) as object,
       'calls auth.*(), current_setting() or a constant private helper per row; wrap it as (select …)' as detail
from counted
where auth_calls > auth_wrapped or const_calls > const_wrapped
order by 1;
