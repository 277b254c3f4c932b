-- rls_policy_always_true (Supabase advisor 0024)
-- A permissive INSERT/UPDATE/DELETE/ALL policy whose USING or WITH CHECK is just `true`
-- lets every role it names write any row. (SELECT-only `using (true)` on reference data is
-- allowed; a policy only for service_role changes nothing and is allowed too.)
select format('%I.%I: %s', schemaname, tablename, policyname) as object,
       format('%s policy is always true', cmd) as detail
from pg_policies
where permissive = 'PERMISSIVE'
  and cmd in ('INSERT', 'UPDATE', 'DELETE', 'ALL')
  and (
    regexp_replace(coalesce(qual, ''), '[()[:space:]]', '', 'g') ilike 'true'
    or regexp_replace(coalesce(with_check, ''), '[()[:space:]]', '', 'g') ilike 'true'
  )
  and not (roles <@ array['service_role']::name[])
order by 1;
