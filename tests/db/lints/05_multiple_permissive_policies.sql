-- multiple_permissive_policies (Supabase advisor 0006)
-- More than one permissive policy for the same table, role and action: Postgres evaluates
-- every one of them for every row (OR-ed), which is slow and hides the real rule. The house
-- rule is one policy per verb. `to public` counts for every API role; `for all` for every verb.
with expanded as (
  select p.schemaname, p.tablename, p.policyname, r.role, a.action
  from pg_policies p
  cross join lateral unnest(
    case when p.roles = array['public']::name[]
      then array['anon', 'authenticated', 'authenticator', 'dashboard_user']::name[]
      else p.roles end
  ) as r (role)
  cross join lateral unnest(
    case p.cmd when 'ALL' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] else array[p.cmd] end
  ) as a (action)
  where p.permissive = 'PERMISSIVE'
    and p.schemaname in ('public', 'graphql_public', 'private', 'audit')
)
select format('%I.%I %s %s', schemaname, tablename, role, action) as object,
       'permissive policies: ' || string_agg(policyname, ', ' order by policyname) as detail
from expanded
group by schemaname, tablename, role, action
having count(*) > 1
order by 1;
