-- rls_references_user_metadata (Supabase advisor 0015)
-- user_metadata (raw_user_meta_data) is editable by the user through the Auth API; a policy
-- that reads it lets anyone grant themselves access. Authorization data lives in app_metadata.
select format('%I.%I: %s', schemaname, tablename, policyname) as object,
       'policy reads user_metadata, which users can edit' as detail
from pg_policies
where coalesce(qual, '') || ' ' || coalesce(with_check, '') ~* '(user_metadata|raw_user_meta_data)'
order by 1;
