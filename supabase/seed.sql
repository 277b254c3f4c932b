-- =====================================================================================
-- Demo data (applied once on a fresh database, and by `npm run db:reset` / `supabase db reset`)
--
-- Pure SQL, so hosted Supabase tooling can run it as is. Every demo account signs in with
-- its phone number and the password Demo@12345; the table of accounts is in
-- docs/demo-accounts.md. Phones are stored as Supabase Auth stores them: digits, country
-- code first, no "+".
--
--   platform: owner, admin, support                                     → /console
--   安居物业服务有限公司 (A): 翠湖花园 (C1), 金桂苑 (C2), staff in every role  → /office
--   悦华物业管理有限公司 (B): 滨江壹号 (C3)                                  → /office
--   residents with households, a pending binding request, a pending invitation → /
--   翠湖花园's fees (物业费 with prepay offers, 垃圾费), bills of the last two months and this one
--   翠湖花园's repair reports in several states
--   2,592 units in all, generated building × entrance × floor × unit
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Accounts
-- -------------------------------------------------------------------------------------
create temporary table demo_accounts (
  key text primary key,
  id uuid not null,
  phone text not null,
  full_name text not null,
  platform_role text
) on commit drop;

insert into demo_accounts (key, id, phone, full_name, platform_role) values
  ('platform_owner',   'd0000000-0000-4000-8000-000000000001', '8613800000001', '平台所有者', 'owner'),
  ('platform_admin',   'd0000000-0000-4000-8000-000000000002', '8613800000002', '平台管理员', 'admin'),
  ('platform_support', 'd0000000-0000-4000-8000-000000000003', '8613800000003', '平台客服', 'support'),
  ('a_admin',          'd0000000-0000-4000-8000-000000000011', '8613800000011', '周建国', null),
  ('a_manager_c1',     'd0000000-0000-4000-8000-000000000012', '8613800000012', '李思远', null),
  ('a_manager_c2',     'd0000000-0000-4000-8000-000000000013', '8613800000013', '王海燕', null),
  ('a_front_desk_c1',  'd0000000-0000-4000-8000-000000000014', '8613800000014', '陈静', null),
  ('a_technician_c1',  'd0000000-0000-4000-8000-000000000015', '8613800000015', '赵师傅', null),
  ('a_finance',        'd0000000-0000-4000-8000-000000000016', '8613800000016', '孙会计', null),
  ('a_security_c1',    'd0000000-0000-4000-8000-000000000017', '8613800000017', '刘保安', null),
  ('b_admin',          'd0000000-0000-4000-8000-000000000021', '8613800000021', '吴志强', null),
  ('b_manager_c3',     'd0000000-0000-4000-8000-000000000022', '8613800000022', '郑丽华', null),
  ('owner_101',        'd0000000-0000-4000-8000-000000000101', '8613800000101', '张伟', null),
  ('family_full',      'd0000000-0000-4000-8000-000000000102', '8613800000102', '李娜', null),
  ('family_limited',   'd0000000-0000-4000-8000-000000000103', '8613800000103', '张小宇', null),
  ('landlord_102',     'd0000000-0000-4000-8000-000000000104', '8613800000104', '王芳', null),
  ('tenant_102',       'd0000000-0000-4000-8000-000000000105', '8613800000105', '刘洋', null),
  ('owner_c2',         'd0000000-0000-4000-8000-000000000106', '8613800000106', '杨明', null),
  ('owner_c3',         'd0000000-0000-4000-8000-000000000107', '8613800000107', '黄丽', null),
  ('applicant',        'd0000000-0000-4000-8000-000000000108', '8613800000108', '陈晓', null),
  ('invitee',          'd0000000-0000-4000-8000-000000000109', '8613800000109', '张奶奶', null),
  ('newcomer',         'd0000000-0000-4000-8000-000000000110', '8613800000110', '', null);

-- The profile is created by the on_auth_user_created trigger (name from user_metadata).
insert into auth.users (
  instance_id, id, aud, role, phone, phone_confirmed_at, encrypted_password,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at,
  confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current,
  phone_change, phone_change_token, reauthentication_token
)
select
  '00000000-0000-0000-0000-000000000000', a.id, 'authenticated', 'authenticated', a.phone, now(),
  extensions.crypt('Demo@12345', extensions.gen_salt('bf')),
  jsonb_build_object('provider', 'phone', 'providers', jsonb_build_array('phone'))
    || case when a.platform_role is null then '{}'::jsonb else jsonb_build_object('platform_role', a.platform_role) end,
  case when a.full_name = '' then '{}'::jsonb else jsonb_build_object('full_name', a.full_name) end,
  now(), now(), null,
  '', '', '', '', '', '', '', ''
from demo_accounts a;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select a.id::text, a.id,
       jsonb_build_object('sub', a.id::text, 'phone', a.phone, 'email_verified', false, 'phone_verified', true),
       'phone', now(), now(), now()
from demo_accounts a;

-- -------------------------------------------------------------------------------------
-- Companies and communities (role templates are copied by trigger)
-- -------------------------------------------------------------------------------------
insert into public.companies (id, name, short_name, credit_code, contact_name, contact_phone, address) values
  ('c0000000-0000-4000-8000-00000000000a', '安居物业服务有限公司', '安居物业', '91330106MA2H3K7L5X', '周建国', '8657188880001',
   '浙江省杭州市西湖区文三路 100 号'),
  ('c0000000-0000-4000-8000-00000000000b', '悦华物业管理有限公司', '悦华物业', '91330108MA27YF4Q2N', '吴志强', '8657188880002',
   '浙江省杭州市滨江区江南大道 200 号');

insert into public.communities (id, company_id, name, code, province, city, district, address, contact_phone) values
  ('c1000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000000a', '翠湖花园', 'CUIHU',
   '浙江省', '杭州市', '西湖区', '文一西路 588 号', '8657186660001'),
  ('c1000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-00000000000a', '金桂苑', 'JINGUI',
   '浙江省', '杭州市', '拱墅区', '湖州街 66 号', '8657186660002'),
  ('c1000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-00000000000b', '滨江壹号', 'BJ01',
   '浙江省', '杭州市', '滨江区', '闻涛路 1 号', '8657186660003');

-- -------------------------------------------------------------------------------------
-- Buildings and units: building × entrance × floor × unit per floor
-- -------------------------------------------------------------------------------------
create temporary table demo_layout (
  community_id uuid primary key,
  company_id uuid not null,
  buildings int not null,
  entrances int not null,
  floors int not null,
  per_floor int not null
) on commit drop;
insert into demo_layout values
  ('c1000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000000a', 12, 2, 18, 4),  -- 1,728 homes
  ('c1000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-00000000000a', 6, 2, 11, 2),   --   264 homes
  ('c1000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-00000000000b', 8, 2, 15, 2);   --   480 homes

insert into public.buildings (company_id, community_id, name, sort_order, floor_count, entrance_count)
select l.company_id, l.community_id, b || '栋', b, l.floors, l.entrances
from demo_layout l
cross join lateral generate_series(1, l.buildings) as b;

insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area, use)
select l.company_id, l.community_id, bl.id, e, f, (f * 100 + u)::text,
       (array[89.50, 112.30, 128.80, 143.60])[1 + (u - 1) % 4],
       'residential'
from demo_layout l
join public.buildings bl on bl.community_id = l.community_id
cross join lateral generate_series(1, l.entrances) as e
cross join lateral generate_series(1, l.floors) as f
cross join lateral generate_series(1, l.per_floor) as u;

-- An underground car park with 120 parking spaces in 翠湖花园.
insert into public.buildings (company_id, community_id, name, sort_order, floor_count, entrance_count, note)
values ('c0000000-0000-4000-8000-00000000000a', 'c1000000-0000-4000-8000-000000000001', '地下车库', 100, 1, 1, '地下一层');
insert into public.units (company_id, community_id, building_id, entrance, floor, number, floor_area, use)
select b.company_id, b.community_id, b.id, null, -1, 'P' || lpad(n::text, 3, '0'), 12.50, 'parking'
from public.buildings b
cross join generate_series(1, 120) as n
where b.community_id = 'c1000000-0000-4000-8000-000000000001' and b.name = '地下车库';

-- -------------------------------------------------------------------------------------
-- Staff: one account per role (A), an admin and a manager (B)
-- -------------------------------------------------------------------------------------
insert into public.company_members (company_id, user_id, job_title, employee_no)
select m.company_id::uuid, a.id, m.job_title, m.employee_no
from (values
  ('a_admin', 'c0000000-0000-4000-8000-00000000000a', '总经理', 'AJ001'),
  ('a_manager_c1', 'c0000000-0000-4000-8000-00000000000a', '翠湖花园项目经理', 'AJ002'),
  ('a_manager_c2', 'c0000000-0000-4000-8000-00000000000a', '金桂苑项目经理', 'AJ003'),
  ('a_front_desk_c1', 'c0000000-0000-4000-8000-00000000000a', '客服专员', 'AJ004'),
  ('a_technician_c1', 'c0000000-0000-4000-8000-00000000000a', '水电维修工', 'AJ005'),
  ('a_finance', 'c0000000-0000-4000-8000-00000000000a', '财务主管', 'AJ006'),
  ('a_security_c1', 'c0000000-0000-4000-8000-00000000000a', '保安队长', 'AJ007'),
  ('b_admin', 'c0000000-0000-4000-8000-00000000000b', '总经理', 'YH001'),
  ('b_manager_c3', 'c0000000-0000-4000-8000-00000000000b', '滨江壹号项目经理', 'YH002')
) as m (key, company_id, job_title, employee_no)
join demo_accounts a on a.key = m.key;

insert into public.staff_role_assignments (company_id, member_id, role_id, community_id)
select cm.company_id, cm.id, r.id, s.community_id::uuid
from (values
  ('a_admin', 'company_admin', null),
  ('a_manager_c1', 'community_manager', 'c1000000-0000-4000-8000-000000000001'),
  ('a_manager_c2', 'community_manager', 'c1000000-0000-4000-8000-000000000002'),
  ('a_front_desk_c1', 'front_desk', 'c1000000-0000-4000-8000-000000000001'),
  ('a_technician_c1', 'technician', 'c1000000-0000-4000-8000-000000000001'),
  ('a_technician_c1', 'technician', 'c1000000-0000-4000-8000-000000000002'),
  ('a_finance', 'finance', null),
  ('a_security_c1', 'security', 'c1000000-0000-4000-8000-000000000001'),
  ('b_admin', 'company_admin', null),
  ('b_manager_c3', 'community_manager', 'c1000000-0000-4000-8000-000000000003')
) as s (key, template_code, community_id)
join demo_accounts a on a.key = s.key
join public.company_members cm on cm.user_id = a.id
join public.company_roles r on r.company_id = cm.company_id and r.template_code = s.template_code;

-- -------------------------------------------------------------------------------------
-- Demo residents and their households
-- -------------------------------------------------------------------------------------
create temporary table demo_units on commit drop as
select u.id, u.community_id, b.name as building, u.entrance, u.number
from public.units u
join public.buildings b on b.id = u.building_id;

insert into public.occupancies (unit_id, user_id, relation, name, phone, household_grants, move_in_date, verified_via)
select du.id, a.id, o.relation::public.occupant_relation, a.full_name, a.phone, o.grants::public.household_grant[],
       o.move_in::date, 'import'
from (values
  -- 翠湖花园 1栋1单元101: owner with two family members (one sees the household, one only repairs)
  ('owner_101', 'c1000000-0000-4000-8000-000000000001', '1栋', 1, '101', 'owner', '{}', '2019-05-01'),
  ('family_full', 'c1000000-0000-4000-8000-000000000001', '1栋', 1, '101', 'family',
   '{members.read,bills.read,bills.pay,repairs.read,repairs.create}', '2019-05-01'),
  ('family_limited', 'c1000000-0000-4000-8000-000000000001', '1栋', 1, '101', 'family', '{repairs.create}', '2019-05-01'),
  -- 翠湖花园 1栋1单元102: a landlord who rents the flat out
  ('landlord_102', 'c1000000-0000-4000-8000-000000000001', '1栋', 1, '102', 'owner', '{}', '2018-03-15'),
  ('tenant_102', 'c1000000-0000-4000-8000-000000000001', '1栋', 1, '102', 'tenant', '{}', '2025-09-01'),
  -- 金桂苑 and 滨江壹号 (company B)
  ('owner_c2', 'c1000000-0000-4000-8000-000000000002', '1栋', 1, '501', 'owner', '{}', '2021-01-10'),
  ('owner_c3', 'c1000000-0000-4000-8000-000000000003', '1栋', 1, '801', 'owner', '{}', '2022-07-20')
) as o (key, community_id, building, entrance, number, relation, grants, move_in)
join demo_accounts a on a.key = o.key
join demo_units du on du.community_id = o.community_id::uuid and du.building = o.building
  and du.entrance = o.entrance and du.number = o.number;

-- The office's record of the owner of 翠湖花园 2栋1单元301, without an account yet. The
-- applicant below asks for that unit with the same phone: approving links this record.
insert into public.occupancies (unit_id, relation, name, phone, move_in_date, verified_via)
select du.id, 'owner', '陈晓', '8613800000108', date '2026-10-01', 'import'
from demo_units du
where du.community_id = 'c1000000-0000-4000-8000-000000000001' and du.building = '2栋' and du.entrance = 1 and du.number = '301';

insert into public.unit_binding_requests (unit_id, user_id, relation, applicant_name, note)
select du.id, a.id, 'owner', '陈晓', '新购房，已交房，房产证复印件已交前台'
from demo_units du
join demo_accounts a on a.key = 'applicant'
where du.community_id = 'c1000000-0000-4000-8000-000000000001' and du.building = '2栋' and du.entrance = 1 and du.number = '301';

-- The owner of 1栋1单元101 invites grandma; she has an account, so signing in accepts it.
insert into public.household_invitations (unit_id, invited_by, phone, invitee_name, relation, household_grants, expires_at)
select du.id, a.id, '8613800000109', '张奶奶', 'family', '{members.read,repairs.read,repairs.create}', now() + interval '30 days'
from demo_units du
join demo_accounts a on a.key = 'owner_101'
where du.community_id = 'c1000000-0000-4000-8000-000000000001' and du.building = '1栋' and du.entrance = 1 and du.number = '101';

-- -------------------------------------------------------------------------------------
-- The office's owner records for most other homes (no accounts): about 70 % of homes have
-- an owner on file, a third of those also a family member. Names and phones are made up.
-- -------------------------------------------------------------------------------------
insert into public.occupancies (unit_id, relation, name, phone, move_in_date, verified_via)
select du.id, 'owner',
       (array['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'])[1 + n % 20]
         || (array['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平'])[1 + (n / 20) % 20],
       '86159' || lpad(n::text, 8, '0'),
       date '2015-01-01' + (n % 3650)::int,
       'import'
from (
  select du.id, row_number() over (order by du.community_id, du.building, du.entrance, du.number) as n
  from demo_units du
  where du.number !~ '^P'
    and not exists (select 1 from public.occupancies o where o.unit_id = du.id)
) as du
where du.n % 10 < 7;

insert into public.occupancies (unit_id, relation, name, phone, household_grants, move_in_date, verified_via)
select o.unit_id, 'family', left(o.name, 1) || '家人', null, '{members.read,repairs.read,repairs.create}', o.move_in_date, 'import'
from public.occupancies o
where o.user_id is null and o.relation = 'owner' and o.phone like '86159%' and right(o.phone, 1) in ('0', '3', '6');

-- -------------------------------------------------------------------------------------
-- Fees in 翠湖花园: 物业费 per m² (late fee after 15 days' grace; prepay up to 12 months:
-- 6 months −3 %, "12 for 11") and 垃圾费 per household; the bill runs of the last two months
-- and of this one, published as a billing job would (service role), so residents open the app
-- to bills, arrears with late fees, a 12-month trend and prepayment offers.
-- -------------------------------------------------------------------------------------
insert into public.fee_items (company_id, community_id, name, kind, prepay_max_months, sort_order)
select c.company_id, c.id, v.name, v.kind::public.fee_kind, v.prepay_max_months, v.sort_order
from public.communities c
cross join (values ('物业费', 'property', 12, 1), ('垃圾费', 'garbage', 0, 2)) as v (name, kind, prepay_max_months, sort_order)
where c.name = '翠湖花园';

insert into public.fee_rule_versions (company_id, community_id, fee_item_id, effective_from, rule, note)
select fi.company_id, fi.community_id, fi.id, date_trunc('year', now() - interval '2 months')::date,
       case fi.kind
         when 'property' then '{"method": "area", "unitPriceE4": 25000, "proration": "daily",
                                "lateFee": {"dailyRateBp": 5, "graceDays": 15, "capBp": 10000},
                                "prepayDiscounts": [{"minMonths": 6, "percentOffBp": 300}, {"minMonths": 12, "freeMonths": 1}]}'::jsonb
         else '{"method": "fixed", "unitPriceE4": 150000, "proration": "daily"}'::jsonb
       end,
       '演示数据'
from public.fee_items fi
join public.communities c on c.id = fi.community_id
where c.name = '翠湖花园';

select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role": "service_role"}', true);
select r.*
from public.communities c
cross join generate_series(2, 0, -1) as m
cross join lateral billing.publish_bill_run(c.id, (date_trunc('month', now()) - make_interval(months => m))::date) as r
where c.name = '翠湖花园';
reset role;
select set_config('request.jwt.claims', '', true);

-- -------------------------------------------------------------------------------------
-- Repairs in 翠湖花园: new reports from 张伟 and the tenant of 102, a public-area report,
-- one dispatched to 赵师傅 and one he has finished (for 张伟 to rate). Reports go in as their
-- residents filed them; the workflow steps are taken as the system actor (the owner), which
-- the workflow guard allows, and each step lands on the ticket's timeline.
-- -------------------------------------------------------------------------------------
create temporary table demo_tickets (key text primary key, id uuid) on commit drop;

with filed as (
  insert into public.repair_tickets (area, unit_id, community_id, location_note, category_id, description,
                                     reporter_id, contact_name, contact_phone, preferred_slot)
  select v.area::public.repair_area, du.id, case when v.area = 'public' then c.id end, v.location_note, cat.id, v.description,
         a.id, a.full_name, a.phone, v.slot::public.repair_time_slot
  from (values
    ('tap',      'owner_101',    'home',   '101', null,            '水电', '厨房水龙头一直滴水，关不紧', 'morning'),
    ('balcony',  'owner_101',    'home',   '101', null,            '门窗', '阳台推拉门卡住，推不动', 'any'),
    ('network',  'tenant_102',   'home',   '102', null,            '网络', '客厅的网线口没有信号', 'evening'),
    ('elevator', 'landlord_102', 'public', null,  '3栋1单元电梯厅', '电梯', '电梯按钮 5 楼失灵，按了没反应', 'any')
  ) as v (key, account, area, number, location_note, category, description, slot)
  join demo_accounts a on a.key = v.account
  join public.communities c on c.id = 'c1000000-0000-4000-8000-000000000001'
  left join demo_units du on v.area = 'home' and du.community_id = c.id and du.building = '1栋' and du.entrance = 1
    and du.number = v.number
  join public.repair_categories cat on cat.community_id = c.id and cat.name = v.category
  returning id, description
)
insert into demo_tickets (key, id)
select case f.description when '厨房水龙头一直滴水，关不紧' then 'tap' when '阳台推拉门卡住，推不动' then 'balcony'
         when '客厅的网线口没有信号' then 'network' else 'elevator' end, f.id
from filed f;

-- Each step as the person who takes it: 陈静 (front desk) accepts and dispatches, 赵师傅 starts and finishes.
create temporary table demo_step (key text, actor text, status text, sort integer) on commit drop;
insert into demo_step values
  ('balcony', 'a_front_desk_c1', 'accepted', 1), ('elevator', 'a_front_desk_c1', 'accepted', 2),
  ('balcony', 'a_front_desk_c1', 'dispatched', 3), ('elevator', 'a_front_desk_c1', 'dispatched', 4),
  ('balcony', 'a_technician_c1', 'in_progress', 5), ('balcony', 'a_technician_c1', 'completed', 6);

do $$
declare
  s record;
  v_technician uuid := (select cm.id from public.company_members cm join demo_accounts a on a.id = cm.user_id
                        where a.key = 'a_technician_c1');
begin
  for s in select d.*, a.id as actor_id, t.id as ticket_id from demo_step d
           join demo_accounts a on a.key = d.actor join demo_tickets t on t.key = d.key order by d.sort loop
    perform set_config('role', 'authenticated', true),
            set_config('request.jwt.claim.sub', s.actor_id::text, true),
            set_config('request.jwt.claims', json_build_object('role', 'authenticated', 'sub', s.actor_id,
              'aud', 'authenticated', 'app_metadata', '{}'::json)::text, true);
    if s.status = 'dispatched' then
      update public.repair_tickets set status = 'dispatched', assignee_id = v_technician,
             appointment_at = date_trunc('day', now()) + interval '1 day 9 hours'
      where id = s.ticket_id;
    elsif s.status = 'completed' then
      update public.repair_tickets set status = 'completed', completion_note = '更换了推拉门滑轮并调整轨道，已试推顺畅',
             materials = '[{"name": "推拉门滑轮", "quantity": 2, "unit": "个"}]'
      where id = s.ticket_id;
    else
      update public.repair_tickets set status = s.status::public.repair_status where id = s.ticket_id;
    end if;
    perform set_config('role', 'postgres', true), set_config('request.jwt.claim.sub', '', true),
            set_config('request.jwt.claims', '', true);
  end loop;
end
$$;
