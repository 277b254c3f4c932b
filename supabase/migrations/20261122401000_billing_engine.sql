-- =====================================================================================
-- Billing engine in SQL (issue #8): the set-based bill run, late fees, adjustments
--
-- The rules are specified once, in app/modules/billing/rules/ (pure TypeScript, unit-tested
-- against published price tables). The bill run repeats the same arithmetic here, set-based,
-- because a community-wide run over 100k units must not round-trip through the app; an
-- integration test checks SQL and TypeScript agree line by line.
--
--   billing.today()                     the billing day (Asia/Shanghai calendar)
--   billing.compute_charges(c, period)  what a run for a community and month would bill
--   billing.publish_bill_run(c, period) inserts the bills that do not exist yet (idempotent)
--   billing.late_fee_fen(…)             滞纳金 of a principal as of a day
--   billing.bill_amounts(bill ids)      amount, late fee as of today, total (what a payer pays)
--   billing.adjust_bill / waive_bill    audited corrections with a reason
--   billing.notify(…)                   the one place billing hands messages to the notification center (private.notify)
-- =====================================================================================

create or replace function billing.today()
returns date
language sql
stable
set search_path = ''
as $$
  select (now() at time zone 'Asia/Shanghai')::date
$$;
comment on function billing.today() is
  'The billing calendar day: due dates, late fees and reminders follow the China calendar whatever the server time zone.';

create or replace function billing.can(p_company_id uuid, p_permission public.app_permission, p_community_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(current_setting('role', true), '') = 'service_role'
    or private.has_permission(p_company_id, p_permission, p_community_id)
$$;
comment on function billing.can(uuid, public.app_permission, uuid) is
  'has_permission for billing workflows, also true for jobs and webhooks running as service_role.';

-- -------------------------------------------------------------------------------------
-- Charges of a bill run
-- -------------------------------------------------------------------------------------
create or replace function billing.compute_charges(p_community_id uuid, p_period_start date)
returns table (
  company_id uuid,
  community_id uuid,
  building_id uuid,
  unit_id uuid,
  fee_item_id uuid,
  fee_item_name text,
  rule_version_id uuid,
  period_start date,
  period_end date,
  due_date date,
  quantity numeric,
  unit_price_e4 bigint,
  amount_fen bigint,
  detail jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_company_id uuid;
begin
  select c.company_id into v_company_id from public.communities c where c.id = p_community_id;
  if not found or not (billing.can(v_company_id, 'bill.manage', p_community_id)
    or billing.can(v_company_id, 'bill.read', p_community_id)) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if p_period_start is null or extract(day from p_period_start) <> 1 then
    raise exception using errcode = '22023', message = 'billing.period_not_month_start';
  end if;

  return query
  with items as materialized (
    -- Fee items billed in this month, each with the rule version in force on the period's 1st,
    -- its scalar settings pulled out once (the rows below stay narrow).
    select fi.id, fi.company_id, fi.community_id, fi.name, fi.applies_to, fi.bill_vacant, fi.due_days,
      m.months, p_period_start as ps, ((p_period_start + make_interval(months => m.months))::date - 1) as pe,
      rv.id as rule_version_id, rv.rule ->> 'method' as method,
      (rv.rule ->> 'unitPriceE4')::bigint as price,
      coalesce(rv.rule ->> 'proration', 'daily') = 'daily' as prorate,
      rv.rule ->> 'tierBasis' = 'annual' as annual,
      coalesce(rv.rule ->> 'tierBasis', 'monthly') as tier_basis,
      -- Tiers as parallel arrays: lower bound, upper bound (null = open), price.
      (select array_agg(coalesce(lag_up, 0) order by ord) from (
         select t.ord, lag((t.tier ->> 'upTo')::numeric) over (order by t.ord) as lag_up
         from jsonb_array_elements(rv.rule -> 'tiers') with ordinality as t (tier, ord)) x) as tier_lo,
      (select array_agg((t.tier ->> 'upTo')::numeric order by t.ord)
         from jsonb_array_elements(rv.rule -> 'tiers') with ordinality as t (tier, ord)) as tier_hi,
      (select array_agg((t.tier ->> 'unitPriceE4')::bigint order by t.ord)
         from jsonb_array_elements(rv.rule -> 'tiers') with ordinality as t (tier, ord)) as tier_price
    from public.fee_items fi
    cross join lateral (
      select case fi.billing_cycle when 'monthly' then 1 when 'quarterly' then 3 else 12 end as months
    ) m
    join lateral (
      select v.id, v.rule from public.fee_rule_versions v
      where v.fee_item_id = fi.id and v.effective_from <= p_period_start
      order by v.effective_from desc
      limit 1
    ) rv on true
    where fi.community_id = p_community_id and fi.active
      and (fi.billing_cycle = 'monthly'
        or (fi.billing_cycle = 'quarterly' and extract(month from p_period_start)::int in (1, 4, 7, 10))
        or (fi.billing_cycle = 'yearly' and extract(month from p_period_start)::int = 1))
  ),
  occ as (
    -- Principals (owners, tenants) whose stay overlaps the longest possible period.
    select o.unit_id,
      min(coalesce(o.move_in_date, '-infinity'::date)) as first_in,
      max(coalesce(o.move_out_date, 'infinity'::date)) as last_out
    from public.occupancies o
    where o.community_id = p_community_id and o.relation in ('owner', 'tenant') and o.deleted_at is null
      and coalesce(o.move_in_date, '-infinity'::date) <= (p_period_start + interval '1 year')::date
      and coalesce(o.move_out_date, 'infinity'::date) >= p_period_start
    group by o.unit_id
  ),
  billable as materialized (
    -- Occupied: the days the principals cover (move-in/out proration). Vacant: the whole
    -- period when the item bills vacant units, otherwise nothing.
    select i.id as item_id, u.id as u_id, u.building_id as b_id, u.floor_area,
      (i.pe - i.ps + 1) as period_days,
      case
        when occ.unit_id is not null and least(i.pe, occ.last_out) >= greatest(i.ps, occ.first_in) and i.prorate
          then least(i.pe, occ.last_out) - greatest(i.ps, occ.first_in) + 1
        else i.pe - i.ps + 1
      end as billable_days
    from items i
    join public.units u
      on u.company_id = i.company_id and u.community_id = i.community_id and u.deleted_at is null
        and u.use = any (i.applies_to)
    left join occ on occ.unit_id = u.id
    where i.bill_vacant
      or (occ.unit_id is not null and least(i.pe, occ.last_out) >= greatest(i.ps, occ.first_in))
  ),
  flat as (
    select i.company_id, i.community_id, b.b_id, b.u_id, i.id as item_id, i.name, i.rule_version_id, i.ps, i.pe,
      (i.ps + i.due_days) as due,
      case i.method when 'area' then b.floor_area else 1::numeric end as qty,
      i.price,
      -- Exact, then rounded once, half-up, to the fen: qty × price(1/10,000 元) × months × days/period days ÷ 100.
      round(
        (case i.method when 'area' then b.floor_area else 1::numeric end)
        * i.price * i.months * b.billable_days / (b.period_days * 100)
      )::bigint as amount,
      jsonb_build_object('months', i.months, 'billableDays', b.billable_days, 'periodDays', b.period_days) as detail
    from billable b
    join items i on i.id = b.item_id
    where i.method in ('fixed', 'area', 'per_space') and (i.method <> 'area' or b.floor_area is not null)
  ),
  metered as materialized (
    select i.company_id, i.community_id, b.b_id, b.u_id, i.id as item_id, i.name, i.rule_version_id, i.ps, i.pe,
      (i.ps + i.due_days) as due, i.annual, i.tier_basis, i.tier_lo, i.tier_hi, i.tier_price,
      m.multiplier, r_end.read_on as end_on, r_end.reading as end_reading,
      -- Opening: the last reading before the period, or (a new meter) the first one ever.
      -- coalesce evaluates the fallback subquery only when the first one found nothing.
      coalesce(
        (select r.reading from public.meter_readings r where r.meter_id = m.id and r.read_on < i.ps order by r.read_on desc limit 1),
        (select r.reading from public.meter_readings r where r.meter_id = m.id order by r.read_on limit 1)
      ) as start_reading,
      -- Annual tiers: use so far this calendar year counts from the last reading of the previous year.
      case when i.annual then coalesce(
        (select r.reading from public.meter_readings r
         where r.meter_id = m.id and r.read_on < date_trunc('year', i.ps)::date order by r.read_on desc limit 1),
        (select r.reading from public.meter_readings r
         where r.meter_id = m.id and r.read_on >= date_trunc('year', i.ps)::date order by r.read_on limit 1)
      ) end as year_base
    from billable b
    join items i on i.id = b.item_id and i.method = 'metered'
    join public.meters m
      on m.company_id = i.company_id and m.community_id = i.community_id and m.unit_id = b.u_id
        and m.fee_item_id = i.id and m.active
    -- The period's closing reading: the last one within the period.
    join lateral (
      select r.read_on, r.reading from public.meter_readings r
      where r.meter_id = m.id and r.read_on between i.ps and i.pe
      order by r.read_on desc limit 1
    ) r_end on true
  ),
  metered_use as materialized (
    select x.*,
      round((x.end_reading - x.start_reading) * x.multiplier, 3) as usage,
      case when x.annual and x.year_base is not null
        then round((x.start_reading - x.year_base) * x.multiplier, 3) else 0::numeric end as prior_use
    from metered x
  ),
  metered_priced as (
    -- Per tier: the part of [prior, prior + usage] inside [lo, hi], times its price; summed exactly.
    -- The breakdown per tier is not stored: it follows from the rule version, priorUse and the
    -- quantity (tieredPrice() in app/modules/billing/rules/engine.ts shows it).
    select x.*, t.amount_e4, t.tiers_used, t.single_price
    from metered_use x
    cross join lateral (
      select
        sum(q.qty * x.tier_price[q.i]) as amount_e4,
        count(*) filter (where q.qty > 0) as tiers_used,
        max(x.tier_price[q.i]) filter (where q.qty > 0) as single_price
      from (
        select g.i,
          greatest(0::numeric,
            least(x.prior_use + x.usage, coalesce(x.tier_hi[g.i], 'infinity'::numeric)) - greatest(x.prior_use, x.tier_lo[g.i])) as qty
        from generate_subscripts(x.tier_price, 1) as g (i)
      ) q
    ) t
    where x.usage > 0
  )
  select f.company_id, f.community_id, f.b_id, f.u_id, f.item_id, f.name, f.rule_version_id, f.ps, f.pe, f.due,
    f.qty, f.price, f.amount, f.detail
  from flat f
  where f.amount > 0
  union all
  select p.company_id, p.community_id, p.b_id, p.u_id, p.item_id, p.name, p.rule_version_id, p.ps, p.pe, p.due,
    p.usage,
    case when p.tiers_used = 1 then p.single_price end,
    round(p.amount_e4 / 100)::bigint,
    jsonb_build_object(
      'startReading', p.start_reading, 'endReading', p.end_reading, 'readOn', p.end_on,
      'multiplier', p.multiplier, 'priorUse', p.prior_use, 'tierBasis', p.tier_basis)
  from metered_priced p
  where round(p.amount_e4 / 100) > 0;
end
$$;
comment on function billing.compute_charges(uuid, date) is
  'What a bill run for the community and month charges: one row per unit and fee item, with quantity, unit price, exact amount rounded half-up to the fen and the computation detail. Needs bill.read or bill.manage (or service_role).';

-- -------------------------------------------------------------------------------------
-- Notifications: the single hand-off to the notification center
-- -------------------------------------------------------------------------------------
create or replace function billing.yuan(p_fen bigint)
returns text
language sql
immutable
set search_path = ''
as $$
  select '¥' || to_char(p_fen / 100.0, 'FM999999999990.00')
$$;
comment on function billing.yuan(bigint) is 'Fen as ¥ text with two decimals, for message bodies.';

create or replace function billing.notify(
  p_event_key text,
  p_company_id uuid,
  p_community_id uuid,
  p_user_ids uuid[],
  p_title text,
  p_body text,
  p_link text,
  p_data jsonb default '{}',
  p_priority text default 'normal'
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
begin
  if coalesce(cardinality(p_user_ids), 0) = 0 then
    return 0;
  end if;
  -- The notification center (20261122200000_notifications.sql): inbox + push/SMS by
  -- preference, idempotent per (event key, recipient).
  return private.notify(
    p_event_key, p_user_ids, 'bills'::public.notification_category, p_title, p_body, p_link,
    p_priority::public.notification_priority, p_company_id, p_community_id, coalesce(p_data, '{}'), null
  );
end
$$;
comment on function billing.notify(text, uuid, uuid, uuid[], text, text, text, jsonb, text) is
  'The one call billing makes to notify people (bill published, reminder, dunning, paid, refunded): private.notify in category bills. Idempotent per event key and recipient.';

create or replace function billing.bill_recipients(p_unit_ids uuid[])
returns table (unit_id uuid, user_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select distinct o.unit_id, o.user_id
  from public.occupancies o
  where o.unit_id = any (p_unit_ids)
    and o.user_id is not null and o.deleted_at is null
    and (o.move_out_date is null or o.move_out_date >= billing.today())
    and (o.relation in ('owner', 'tenant') or 'bills.read' = any (o.household_grants))
$$;
comment on function billing.bill_recipients(uuid[]) is 'Who hears about a unit''s bills: its principals and family members allowed to read bills.';

-- -------------------------------------------------------------------------------------
-- Publishing a bill run
-- -------------------------------------------------------------------------------------
create or replace function billing.publish_bill_run(p_community_id uuid, p_period_start date)
returns table (bill_run_id uuid, created_bills integer, created_fen bigint, notified integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_company_id uuid;
  v_run_id uuid;
  v_count integer;
  v_total bigint;
  v_notified integer := 0;
  v_units uuid[];
begin
  select c.company_id into v_company_id from public.communities c where c.id = p_community_id;
  if not found or not billing.can(v_company_id, 'bill.manage', p_community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;

  insert into public.bill_runs (company_id, community_id, period_start, published_by)
  values (v_company_id, p_community_id, p_period_start, (select auth.uid()))
  on conflict (company_id, community_id, period_start) do nothing;
  -- Concurrent publishes of one run queue here; the second one finds every bill present.
  select r.id into v_run_id from public.bill_runs r
  where r.company_id = v_company_id and r.community_id = p_community_id and r.period_start = p_period_start
  for update;

  with inserted as (
    -- Time-ordered ids (the microsecond clock in the first 7 bytes, then random) and rows in
    -- unit order: the btree indexes are appended to instead of written at random pages.
    insert into public.bills (
      id, company_id, community_id, building_id, unit_id, fee_item_id, bill_run_id, period_start, period_end,
      due_date, rule_version_id, quantity, unit_price_e4, charge_fen, detail, amount_fen
    )
    select
      encode(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send((extract(epoch from clock_timestamp()) * 1000000)::bigint) from 2 for 7) from 1 for 7), 'hex')::uuid,
      c.company_id, c.community_id, c.building_id, c.unit_id, c.fee_item_id, v_run_id, c.period_start, c.period_end,
      c.due_date, c.rule_version_id, c.quantity, c.unit_price_e4, c.amount_fen, c.detail, c.amount_fen
    from billing.compute_charges(p_community_id, p_period_start) c
    order by c.unit_id, c.fee_item_id
    on conflict (unit_id, fee_item_id, period_start) do nothing
    returning unit_id, amount_fen
  )
  select count(*)::integer, coalesce(sum(i.amount_fen), 0)::bigint, array_agg(distinct i.unit_id)
  into v_count, v_total, v_units
  from inserted i;

  update public.bill_runs r
  set bill_count = r.bill_count + v_count, total_fen = r.total_fen + v_total
  where r.id = v_run_id and v_count > 0;

  if v_count > 0 then
    -- One message per person and run: "your bills for <month> are out".
    select coalesce(sum(billing.notify(
        'billing.published:' || v_run_id || ':' || x.user_id, v_company_id, p_community_id, array[x.user_id],
        to_char(p_period_start, 'YYYY"年"FMMM"月"') || '账单已出',
        '您有 ' || x.bills || ' 笔新账单，合计 ' || billing.yuan(x.amount_fen) || '，请在截止日前缴纳。',
        '/bills',
        jsonb_build_object('period', to_char(p_period_start, 'YYYY-MM'), 'bills', x.bills, 'amountFen', x.amount_fen))), 0)::integer
    into v_notified
    from (
      select r.user_id, count(*) as bills, sum(b.amount_fen)::bigint as amount_fen
      from public.bills b
      join billing.bill_recipients(v_units) r on r.unit_id = b.unit_id
      where b.bill_run_id = v_run_id and b.unit_id = any (v_units) and b.created_at = now()
      group by r.user_id
    ) x;
  end if;

  return query select v_run_id, v_count, v_total, v_notified;
end
$$;
comment on function billing.publish_bill_run(uuid, date) is
  'Publishes the bill run of a community and month: inserts every computed bill that does not exist yet (unique unit × item × period) with its charge, and notifies residents once. Running it again creates nothing twice. Needs bill.manage.';

-- -------------------------------------------------------------------------------------
-- Late fees and what a bill costs today
-- -------------------------------------------------------------------------------------
create or replace function billing.late_fee_fen(p_principal_fen bigint, p_due_date date, p_as_of date, p_rule jsonb)
returns bigint
language sql
immutable
set search_path = ''
as $$
  -- Days late beyond the grace days, at dailyRateBp/10,000 of the principal a day, capped at
  -- capBp/10,000 of the principal; exact, then rounded half-up to the fen.
  select case
    when p_rule -> 'lateFee' is null or jsonb_typeof(p_rule -> 'lateFee') = 'null' then 0
    when p_as_of - p_due_date - (p_rule -> 'lateFee' ->> 'graceDays')::int <= 0 then 0
    else least(
      round(p_principal_fen::numeric * (p_rule -> 'lateFee' ->> 'dailyRateBp')::numeric
        * (p_as_of - p_due_date - (p_rule -> 'lateFee' ->> 'graceDays')::int) / 10000),
      round(p_principal_fen::numeric * (p_rule -> 'lateFee' ->> 'capBp')::numeric / 10000)
    )::bigint
  end
$$;
comment on function billing.late_fee_fen(bigint, date, date, jsonb) is
  '滞纳金 of a principal on a day: (days past due − grace days) × dailyRateBp/10,000 × principal, capped at capBp/10,000 × principal, rounded half-up to the fen. Mirrors lateFeeFen() in app/modules/billing/rules.';

create or replace function billing.bill_amounts_unchecked(p_bill_ids uuid[], p_as_of date default null)
returns table (bill_id uuid, amount_fen bigint, late_fee_fen bigint, total_fen bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select b.id, b.amount_fen, lf.fee, b.amount_fen + lf.fee
  from public.bills b
  cross join lateral (
    select case when b.status = 'unpaid' then coalesce((
      select billing.late_fee_fen(b.amount_fen, b.due_date, coalesce(p_as_of, billing.today()), v.rule)
      from public.fee_rule_versions v where v.id = b.rule_version_id
    ), 0) else b.late_fee_fen end as fee
  ) lf
  where b.id = any (p_bill_ids)
$$;
comment on function billing.bill_amounts_unchecked(uuid[], date) is
  'Internal: amount due of bills with the late fee as of a day (default today); callers have checked access.';

create or replace function billing.bill_amounts(p_bill_ids uuid[], p_as_of date default null)
returns table (bill_id uuid, amount_fen bigint, late_fee_fen bigint, total_fen bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select a.*
  from billing.bill_amounts_unchecked(p_bill_ids, p_as_of) a
  join public.bills b on b.id = a.bill_id
  where b.unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
    or billing.can(b.company_id, 'bill.read', b.community_id)
$$;
comment on function billing.bill_amounts(uuid[], date) is
  'Amount due of the bills the caller may read, with the late fee as of a day (default today).';

-- -------------------------------------------------------------------------------------
-- Adjustments and waivers (audited through bill_lines and bills)
-- -------------------------------------------------------------------------------------
create or replace function billing.lock_unpaid_bill(p_bill_id uuid, p_permission public.app_permission)
returns public.bills
language plpgsql
security definer
set search_path = ''
as $$
declare
  b public.bills;
begin
  select * into b from public.bills where id = p_bill_id for update;
  if not found or not billing.can(b.company_id, p_permission, b.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if b.status <> 'unpaid' then
    raise exception using errcode = 'P0001', message = 'billing.bill_not_unpaid';
  end if;
  if exists (select 1 from public.payment_intent_bills ib where ib.bill_id = b.id and ib.active) then
    raise exception using errcode = '55P03', message = 'billing.bill_locked';
  end if;
  return b;
end
$$;
comment on function billing.lock_unpaid_bill(uuid, public.app_permission) is
  'Row-locks an unpaid bill the caller may change; refuses one in an open checkout (billing.bill_locked).';

create or replace function billing.adjust_bill(p_bill_id uuid, p_delta_fen bigint, p_reason text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  b public.bills;
begin
  b := billing.lock_unpaid_bill(p_bill_id, 'bill.manage');
  if char_length(btrim(coalesce(p_reason, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.reason_required';
  end if;
  if p_delta_fen = 0 or b.amount_fen + p_delta_fen <= 0 then
    raise exception using errcode = '22023', message = 'billing.adjustment_invalid',
      detail = 'an adjustment must change the amount and leave it above zero; waive the bill instead';
  end if;
  insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, reason)
  values (b.company_id, b.community_id, b.unit_id, b.id, 'adjustment', '调整', p_delta_fen, btrim(p_reason));
  update public.bills set amount_fen = amount_fen + p_delta_fen where id = b.id;
  return b.amount_fen + p_delta_fen;
end
$$;
comment on function billing.adjust_bill(uuid, bigint, text) is 'Adds a ± adjustment line with a reason to an unpaid bill (bill.manage); returns the new amount.';

create or replace function billing.waive_bill(p_bill_id uuid, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  b public.bills;
begin
  b := billing.lock_unpaid_bill(p_bill_id, 'bill.manage');
  if char_length(btrim(coalesce(p_reason, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.reason_required';
  end if;
  insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, reason)
  values (b.company_id, b.community_id, b.unit_id, b.id, 'waiver', '减免', -b.amount_fen, btrim(p_reason));
  update public.bills set status = 'waived' where id = b.id;
end
$$;
comment on function billing.waive_bill(uuid, text) is 'Waives (减免) an unpaid bill with a reason (bill.manage): a waiver line of −amount and status waived.';

revoke all on function billing.today() from public, anon;
revoke all on function billing.can(uuid, public.app_permission, uuid) from public, anon;
revoke all on function billing.compute_charges(uuid, date) from public, anon;
revoke all on function billing.notify(text, uuid, uuid, uuid[], text, text, text, jsonb, text) from public, anon, authenticated;
revoke all on function billing.yuan(bigint) from public, anon;
revoke all on function billing.bill_recipients(uuid[]) from public, anon, authenticated;
revoke all on function billing.publish_bill_run(uuid, date) from public, anon;
revoke all on function billing.late_fee_fen(bigint, date, date, jsonb) from public, anon;
revoke all on function billing.bill_amounts(uuid[], date) from public, anon;
revoke all on function billing.bill_amounts_unchecked(uuid[], date) from public, anon, authenticated;
revoke all on function billing.lock_unpaid_bill(uuid, public.app_permission) from public, anon, authenticated;
revoke all on function billing.adjust_bill(uuid, bigint, text) from public, anon;
revoke all on function billing.waive_bill(uuid, text) from public, anon;
grant execute on function billing.today() to authenticated, service_role;
grant execute on function billing.can(uuid, public.app_permission, uuid) to authenticated, service_role;
grant execute on function billing.compute_charges(uuid, date) to authenticated, service_role;
grant execute on function billing.notify(text, uuid, uuid, uuid[], text, text, text, jsonb, text) to service_role;
grant execute on function billing.yuan(bigint) to authenticated, service_role;
grant execute on function billing.bill_recipients(uuid[]) to service_role;
grant execute on function billing.publish_bill_run(uuid, date) to authenticated, service_role;
grant execute on function billing.late_fee_fen(bigint, date, date, jsonb) to authenticated, service_role;
grant execute on function billing.bill_amounts(uuid[], date) to authenticated, service_role;
grant execute on function billing.adjust_bill(uuid, bigint, text) to authenticated, service_role;
grant execute on function billing.waive_bill(uuid, text) to authenticated, service_role;
