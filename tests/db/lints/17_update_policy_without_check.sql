-- House rule: UPDATE policies have both USING (which rows may be changed) and WITH CHECK
-- (what they may become). Without WITH CHECK, Postgres reuses USING for the new row, which
-- hides the intent and has let rows be moved into another tenant in other projects.
select format('%I.%I: %s', schemaname, tablename, policyname) as object,
       format('%s policy has no WITH CHECK', cmd) as detail
from pg_policies
where cmd in ('UPDATE', 'ALL')
  and with_check is null
  and schemaname in ('public', 'graphql_public', 'private', 'audit')
order by 1;
