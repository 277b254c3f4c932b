-- =====================================================================================
-- Billing (issue #8): prepayment with a discount (预缴 / 预存)
--
-- A resident (online) or the front desk (cash, transfer) pays N months of a fee item ahead,
-- e.g. 物业费 12 months at 95 % or "12 for 11". The server computes the bills of the coming
-- periods with the rule version in force today and the best prepay offer of that version,
-- and creates them as ordinary bills (unit × fee item × period, the bill run's idempotency
-- key), so a later bill run for those periods creates nothing twice.
--
--   fee_items.prepay_max_months   0 = no prepayment; otherwise the most months one may pay ahead
--   rule.prepayDiscounts          the offers: [{minMonths, percentOffBp} | {minMonths, freeMonths}]
--   prepayments                   one prepayment: periods, gross, discount, net, checkout/payment
--   bills.prepayment_id           the bills it created (status pending until paid)
--
-- Online: billing.reserve_prepayment creates the prepayment and its bills in status `pending`
-- (预缴待付 — not owed: no reminders, no arrears, not due in reports); the ordinary checkout
-- of exactly those bills (payments function → billing.begin_payment) locks them and links
-- itself; the webhook settles them like any checkout (pending → paid).
-- When the checkout fails, expires or is cancelled, a trigger on payment_intents deletes
-- the pending bills and marks the prepayment cancelled: the resident never owes months they
-- did not pay for, and the periods are free for the bill run (or another prepayment) again.
-- The prepayment row keeps what was offered (periods and amounts) and why it ended.
-- Front desk: billing.record_offline_prepayment creates and settles it in one transaction.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Which fee items allow prepayment; the offers live in the rule version
-- -------------------------------------------------------------------------------------
alter table public.fee_items
  add column prepay_max_months smallint not null default 0 check (prepay_max_months between 0 and 24);
comment on column public.fee_items.prepay_max_months is
  'Prepayment (预缴): 0 = not allowed; otherwise the most months (up to 24, the most bills one checkout takes) a resident or the front desk may pay ahead; a multiple of the billing cycle is required. The discounts are the rule version''s prepayDiscounts.';
grant insert (prepay_max_months), update (prepay_max_months) on public.fee_items to authenticated;

create or replace function billing.prepay_offer_is_valid(p_offer jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  -- CASE keeps the casts behind the type checks (OR does not evaluate in order).
  select case
    when jsonb_typeof(p_offer) <> 'object' then false
    when jsonb_typeof(p_offer -> 'minMonths') is distinct from 'number' then false
    when (p_offer ->> 'minMonths')::numeric not between 2 and 36
      or (p_offer ->> 'minMonths')::numeric <> trunc((p_offer ->> 'minMonths')::numeric) then false
    when (p_offer ? 'percentOffBp') = (p_offer ? 'freeMonths') then false
    when p_offer ? 'percentOffBp' then
      jsonb_typeof(p_offer -> 'percentOffBp') = 'number'
      and (p_offer ->> 'percentOffBp')::numeric between 1 and 5000
      and (p_offer ->> 'percentOffBp')::numeric = trunc((p_offer ->> 'percentOffBp')::numeric)
    else
      jsonb_typeof(p_offer -> 'freeMonths') = 'number'
      and (p_offer ->> 'freeMonths')::numeric >= 1
      and (p_offer ->> 'freeMonths')::numeric = trunc((p_offer ->> 'freeMonths')::numeric)
      and (p_offer ->> 'freeMonths')::numeric * 2 <= (p_offer ->> 'minMonths')::numeric
  end
$$;
comment on function billing.prepay_offer_is_valid(jsonb) is
  'A prepay offer: {minMonths 2–36, percentOffBp 1–5000} (e.g. 500 = 5 % off) or {minMonths, freeMonths} with at most half the months free ("12 for 11" = {minMonths 12, freeMonths 1}). Mirrors prepayDiscountSchema.';

create or replace function billing.rule_is_valid(p_rule jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select jsonb_typeof(p_rule) = 'object'
    and p_rule ->> 'method' in ('fixed', 'area', 'per_space', 'metered')
    and case
      when p_rule ->> 'method' = 'metered' then
        jsonb_typeof(p_rule -> 'tiers') = 'array'
        and jsonb_array_length(p_rule -> 'tiers') between 1 and 10
        and coalesce(p_rule ->> 'tierBasis', 'monthly') in ('monthly', 'annual')
        and not exists (
          select 1 from jsonb_array_elements(p_rule -> 'tiers') t
          where jsonb_typeof(t -> 'unitPriceE4') <> 'number' or (t ->> 'unitPriceE4')::numeric < 0
            or (t ->> 'unitPriceE4')::numeric <> trunc((t ->> 'unitPriceE4')::numeric)
            or (t -> 'upTo' is not null and jsonb_typeof(t -> 'upTo') not in ('number', 'null'))
        )
        and (p_rule -> 'tiers' -> -1 -> 'upTo' is null or jsonb_typeof(p_rule -> 'tiers' -> -1 -> 'upTo') = 'null')
      else
        jsonb_typeof(p_rule -> 'unitPriceE4') = 'number'
        and (p_rule ->> 'unitPriceE4')::numeric >= 0
        and (p_rule ->> 'unitPriceE4')::numeric = trunc((p_rule ->> 'unitPriceE4')::numeric)
    end
    and coalesce(p_rule ->> 'proration', 'daily') in ('daily', 'none')
    and (p_rule -> 'lateFee' is null or jsonb_typeof(p_rule -> 'lateFee') = 'null' or (
      jsonb_typeof(p_rule -> 'lateFee' -> 'dailyRateBp') = 'number'
      and jsonb_typeof(p_rule -> 'lateFee' -> 'graceDays') = 'number'
      and jsonb_typeof(p_rule -> 'lateFee' -> 'capBp') = 'number'
    ))
    and (p_rule -> 'prepayDiscounts' is null or jsonb_typeof(p_rule -> 'prepayDiscounts') = 'null' or (
      jsonb_typeof(p_rule -> 'prepayDiscounts') = 'array'
      and jsonb_array_length(p_rule -> 'prepayDiscounts') <= 5
      and not exists (
        select 1 from jsonb_array_elements(p_rule -> 'prepayDiscounts') d where not billing.prepay_offer_is_valid(d)
      )
    ))
$$;
comment on function billing.rule_is_valid(jsonb) is
  'Structural check of a fee rule (method, prices as whole 1/10,000 yuan, tiers with an open last tier, late fee fields, prepay offers). See docs/billing.md for the format.';

-- -------------------------------------------------------------------------------------
-- Prepayments
-- -------------------------------------------------------------------------------------
create type public.prepayment_status as enum ('pending', 'paid', 'cancelled');
comment on type public.prepayment_status is
  'pending: its bills are in an open checkout (bills pending); paid: they were paid (online or at the front desk); cancelled: the checkout failed, expired or was replaced and its bills were removed.';

insert into private.state_transitions (machine, from_state, to_state) values
  ('bill', '', 'pending'),
  ('bill', 'pending', 'paid'),
  ('prepayment', '', 'pending'),
  ('prepayment', 'pending', 'paid'),
  ('prepayment', 'pending', 'cancelled');

create table public.prepayments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  fee_item_id uuid not null,
  rule_version_id uuid not null,
  months smallint not null check (months between 1 and 24),
  period_start date not null,
  period_end date not null,
  gross_fen bigint not null check (gross_fen > 0),
  discount_fen bigint not null check (discount_fen >= 0),
  net_fen bigint not null check (net_fen > 0),
  offer jsonb,
  periods jsonb not null,
  status public.prepayment_status not null default 'pending',
  cancel_reason text check (char_length(cancel_reason) <= 200),
  intent_id uuid,
  payment_id uuid,
  payer_user_id uuid references public.profiles (id) on delete set null,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint prepayments_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint prepayments_item_fkey foreign key (company_id, fee_item_id)
    references public.fee_items (company_id, id) on delete restrict,
  constraint prepayments_intent_fkey foreign key (company_id, intent_id)
    references public.payment_intents (company_id, id) on delete restrict,
  constraint prepayments_payment_fkey foreign key (company_id, payment_id)
    references public.payments (company_id, id) on delete restrict,
  constraint prepayments_company_id_id_key unique (company_id, id),
  constraint prepayments_amounts_check check (net_fen = gross_fen - discount_fen),
  constraint prepayments_period_check check (period_end > period_start),
  constraint prepayments_paid_check check (status <> 'paid' or payment_id is not null)
);
comment on table public.prepayments is
  'A prepayment (预缴): N months of a fee item paid ahead at the rule version in force on the day, with the best prepay offer of that version. Its bills carry prepayment_id; it records what was offered even when a failed checkout removed them.';
comment on column public.prepayments.rule_version_id is 'The rule version in force when it was made: it priced every prepaid period (a later price change does not re-price them).';
comment on column public.prepayments.months is 'Months paid ahead (a multiple of the item''s billing cycle).';
comment on column public.prepayments.gross_fen is 'The bills'' charges before the discount.';
comment on column public.prepayments.discount_fen is 'The prepay discount, spread over the bills as discount lines (largest remainder, earlier periods first).';
comment on column public.prepayments.offer is 'The offer applied ({minMonths, percentOffBp} or {minMonths, freeMonths}), null when none applied.';
comment on column public.prepayments.periods is 'What was offered: [{periodStart, periodEnd, chargeFen, discountFen, amountFen}] (kept when the bills are removed).';
comment on column public.prepayments.cancel_reason is 'Why a pending prepayment ended: the checkout''s final status (failed, expired, cancelled) or a duplicate settlement.';
comment on column public.prepayments.intent_id is 'The online checkout that pays it (null at the front desk).';
comment on column public.prepayments.payer_user_id is 'The resident who started it online (null at the front desk).';
-- One prepayment in progress per unit and fee item: a second one waits for (or replaces) it.
create unique index prepayments_one_pending_key on public.prepayments (unit_id, fee_item_id) where status = 'pending';
create index prepayments_community_idx on public.prepayments (company_id, community_id, unit_id, created_at desc);
create index prepayments_item_idx on public.prepayments (company_id, fee_item_id);
create index prepayments_intent_idx on public.prepayments (company_id, intent_id);
create index prepayments_payment_idx on public.prepayments (company_id, payment_id);
create index prepayments_payer_idx on public.prepayments (payer_user_id);
create index prepayments_open_idx on public.prepayments (community_id) where status = 'pending';

create trigger prepayments_touch_updated_at before update on public.prepayments
  for each row execute function private.touch_updated_at();
create trigger prepayments_guard_immutable before update on public.prepayments
  for each row execute function private.guard_immutable_columns(
    'id', 'company_id', 'community_id', 'unit_id', 'fee_item_id', 'rule_version_id', 'months', 'period_start',
    'period_end', 'gross_fen', 'discount_fen', 'net_fen', 'offer', 'periods');
create trigger prepayments_status_transition before insert or update of status on public.prepayments
  for each row execute function private.enforce_state_transition('prepayment', 'status');
create trigger prepayments_audit after insert or update or delete on public.prepayments
  for each row execute function audit.capture_change('company_id');

alter table public.prepayments enable row level security;
revoke all on public.prepayments from public, anon, authenticated;
grant select, insert, update, delete on public.prepayments to service_role;
grant select on public.prepayments to authenticated;
-- Written only by the billing.* functions below. Read: staff of the community (bill.read or
-- the front desk's payment.record), the unit's household (bills.read) and the payer.
create policy prepayments_select on public.prepayments
  for select to authenticated
  using (
    community_id = any ((select private.communities_with_permission('bill.read'))::uuid[])
    or community_id = any ((select private.communities_with_permission('payment.record'))::uuid[])
    or unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
    or payer_user_id = (select auth.uid())
  );

-- The bills a prepayment created. No foreign key on purpose (like bill_run_id): a bill run
-- inserts 100k+ bills with it null, and a per-row check would cost as much as the insert;
-- only billing.insert_prepayment sets it, and prepayments are never deleted.
alter table public.bills add column prepayment_id uuid;
comment on column public.bills.prepayment_id is
  'The prepayment (预缴) that created this bill, null for bills of a bill run. No foreign key on purpose (see bill_run_id); set only by billing.insert_prepayment.';
create index bills_prepayment_idx on public.bills (company_id, prepayment_id) where prepayment_id is not null;
drop trigger bills_guard_immutable on public.bills;
create trigger bills_guard_immutable before update on public.bills
  for each row execute function private.guard_immutable_columns(
    'id', 'company_id', 'community_id', 'building_id', 'unit_id', 'fee_item_id', 'period_start', 'period_end',
    'rule_version_id', 'quantity', 'unit_price_e4', 'charge_fen', 'detail', 'prepayment_id');

-- -------------------------------------------------------------------------------------
-- What a prepayment would be: basis, plan, options, quote
-- -------------------------------------------------------------------------------------
create or replace function billing.prepay_basis(p_unit_id uuid, p_fee_item_id uuid)
returns table (
  company_id uuid,
  community_id uuid,
  building_id uuid,
  fee_item_name text,
  fee_kind public.fee_kind,
  cycle_months integer,
  max_months integer,
  due_days integer,
  rule_version_id uuid,
  offers jsonb,
  quantity numeric,
  unit_price_e4 bigint,
  charge_fen bigint,
  first_period date,
  problem text
)
language sql
stable
security definer
set search_path = ''
as $$
  with x as (
    select u.company_id, u.community_id, u.building_id, fi.name, fi.kind, fi.active, fi.prepay_max_months,
      fi.due_days, u.use = any (fi.applies_to) as applies, u.floor_area,
      case fi.billing_cycle when 'monthly' then 1 when 'quarterly' then 3 else 12 end as cyc,
      rv.id as rv_id, rv.rule,
      -- Prepaid periods start after this month, after the unit's last bill of the item and
      -- after the community's last published run: never a period a run has already billed.
      greatest(
        date_trunc('month', billing.today())::date,
        (select max(b.period_start) from public.bills b where b.unit_id = u.id and b.fee_item_id = fi.id),
        (select max(r.period_start) from public.bill_runs r
         where r.company_id = u.company_id and r.community_id = u.community_id)
      ) as after_month
    from public.units u
    join public.fee_items fi on fi.id = p_fee_item_id and fi.company_id = u.company_id and fi.community_id = u.community_id
    -- The rule version in force today prices every prepaid period.
    left join lateral (
      select v.id, v.rule from public.fee_rule_versions v
      where v.fee_item_id = fi.id and v.effective_from <= billing.today()
      order by v.effective_from desc limit 1
    ) rv on true
    where u.id = p_unit_id and u.deleted_at is null
  ),
  y as (
    select x.*,
      case x.rule ->> 'method' when 'area' then x.floor_area else 1::numeric end as qty,
      (x.rule ->> 'unitPriceE4')::bigint as price,
      -- The first month after after_month where a billing period of the item starts.
      (select min(m)::date
       from generate_series(date_trunc('month', x.after_month) + interval '1 month',
                            date_trunc('month', x.after_month) + interval '12 months', interval '1 month') m
       where (extract(month from m)::int - 1) % x.cyc = 0) as first_period
    from x
  )
  select y.company_id, y.community_id, y.building_id, y.name, y.kind, y.cyc, y.prepay_max_months::integer,
    y.due_days::integer, y.rv_id, coalesce(y.rule -> 'prepayDiscounts', '[]'::jsonb), y.qty, y.price,
    -- A whole period, exact, rounded once half-up (the bill run's formula with every day billed).
    round(y.qty * y.price * y.cyc / 100)::bigint,
    y.first_period,
    case
      when not y.active or y.prepay_max_months = 0 or not y.applies or y.rv_id is null then 'billing.prepay_unavailable'
      when y.rule ->> 'method' not in ('fixed', 'area', 'per_space') then 'billing.prepay_unavailable'
      when y.qty is null or y.qty <= 0 or round(y.qty * y.price * y.cyc / 100) <= 0 then 'billing.prepay_unavailable'
      when y.first_period > (date_trunc('month', billing.today()) + interval '36 months')::date then 'billing.prepay_limit'
    end
  from y
$$;
comment on function billing.prepay_basis(uuid, uuid) is
  'Internal: what prepaying a fee item of a unit rests on — rule version in force today, offers, the charge of one whole period, the first period not billed yet — and the reason it is not possible (problem), if any. Callers check access.';

create or replace function billing.prepay_plan(p_unit_id uuid, p_fee_item_id uuid, p_months integer)
returns table (
  seq integer,
  period_start date,
  period_end date,
  due_date date,
  quantity numeric,
  unit_price_e4 bigint,
  charge_fen bigint,
  discount_fen bigint,
  amount_fen bigint,
  rule_version_id uuid,
  offer jsonb
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  b record;
  v_count integer;
  v_gross bigint;
  v_discount bigint := 0;
  v_offer jsonb;
begin
  select * into b from billing.prepay_basis(p_unit_id, p_fee_item_id);
  if not found then
    raise exception using errcode = 'P0002', message = 'billing.not_found';
  end if;
  if b.problem is not null then
    raise exception using errcode = 'P0001', message = b.problem;
  end if;
  if p_months is null or p_months < 1 or p_months > b.max_months or p_months % b.cycle_months <> 0 then
    raise exception using errcode = '22023', message = 'billing.prepay_months_invalid',
      detail = format('months must be a multiple of %s up to %s', b.cycle_months, b.max_months);
  end if;
  v_count := p_months / b.cycle_months;
  v_gross := b.charge_fen * v_count;

  -- The best offer the months reach: the largest discount, the first listed on a tie.
  -- percentOffBp: gross × bp / 10,000; freeMonths: gross × free / months (= the free months'
  -- charge when every month costs the same); each rounded once, half-up.
  select o.offer, o.discount into v_offer, v_discount
  from (
    select d.value as offer, d.ordinality as ord,
      case when d.value ? 'percentOffBp'
        then round(v_gross * (d.value ->> 'percentOffBp')::numeric / 10000)
        else round(v_gross * (d.value ->> 'freeMonths')::numeric / p_months)
      end::bigint as discount
    from jsonb_array_elements(b.offers) with ordinality d
    where (d.value ->> 'minMonths')::integer <= p_months
  ) o
  order by o.discount desc, o.ord
  limit 1;
  v_discount := coalesce(v_discount, 0);

  -- Spread over the bills by largest remainder; the charges are equal, so every bill gets
  -- floor(D / n) and the first D mod n periods one fen more. Mirrors prepayPlan().
  return query
  select g.i, m.ps, (m.ps + make_interval(months => b.cycle_months))::date - 1, m.ps + b.due_days,
    b.quantity, b.unit_price_e4, b.charge_fen,
    v_discount / v_count + case when g.i <= v_discount % v_count then 1 else 0 end,
    b.charge_fen - (v_discount / v_count + case when g.i <= v_discount % v_count then 1 else 0 end),
    b.rule_version_id,
    v_offer
  from generate_series(1, v_count) g (i)
  cross join lateral (select (b.first_period + make_interval(months => (g.i - 1) * b.cycle_months))::date as ps) m
  order by g.i;
end
$$;
comment on function billing.prepay_plan(uuid, uuid, integer) is
  'Internal: the bills a prepayment of N months would create — periods, charge, share of the discount, amount — or a refusal (billing.prepay_unavailable, billing.prepay_limit, billing.prepay_months_invalid). Mirrors prepayPlan() in app/modules/billing/rules/engine.ts.';

create or replace function billing.can_prepay_for(p_unit_id uuid, p_staff_permissions public.app_permission[])
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_unit_id = any ((select private.household_unit_ids('bills.read'))::uuid[])
    or p_unit_id = any ((select private.household_unit_ids('bills.pay'))::uuid[])
    or exists (
      select 1 from public.units u, unnest(p_staff_permissions) perm
      where u.id = p_unit_id and billing.can(u.company_id, perm, u.community_id)
    )
$$;
comment on function billing.can_prepay_for(uuid, public.app_permission[]) is
  'Internal: may the caller look at prepaying for this unit — its household (bills.read or bills.pay) or staff holding one of these permissions in its community.';

create or replace function billing.prepay_options(p_unit_id uuid)
returns table (
  fee_item_id uuid,
  fee_item_name text,
  fee_kind public.fee_kind,
  cycle_months integer,
  max_months integer,
  offers jsonb,
  charge_fen bigint,
  first_period date,
  problem text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not billing.can_prepay_for(p_unit_id, array['bill.read', 'payment.record']::public.app_permission[]) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  return query
  select fi.id, p.fee_item_name, p.fee_kind, p.cycle_months, p.max_months, p.offers, p.charge_fen, p.first_period, p.problem
  from public.units u
  join public.fee_items fi on fi.company_id = u.company_id and fi.community_id = u.community_id
    and fi.prepay_max_months > 0 and fi.active and u.use = any (fi.applies_to)
  cross join lateral billing.prepay_basis(u.id, fi.id) p
  where u.id = p_unit_id and (p.problem is null or p.problem = 'billing.prepay_limit')
  order by fi.sort_order, fi.name;
end
$$;
comment on function billing.prepay_options(uuid) is
  'The fee items of a unit that may be prepaid, with their offers, the charge of one period and the first period a prepayment would cover (problem = billing.prepay_limit when already prepaid as far as allowed). For the household and staff (bill.read, payment.record).';

create or replace function billing.prepay_quote(p_unit_id uuid, p_fee_item_id uuid, p_months integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  if not billing.can_prepay_for(p_unit_id, array['bill.read', 'payment.record']::public.app_permission[]) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  select jsonb_build_object(
      'unitId', p_unit_id, 'feeItemId', p_fee_item_id, 'months', p_months,
      'periodStart', min(p.period_start), 'periodEnd', max(p.period_end),
      'grossFen', sum(p.charge_fen), 'discountFen', sum(p.discount_fen), 'netFen', sum(p.amount_fen),
      'offer', min(p.offer::text)::jsonb, 'ruleVersionId', min(p.rule_version_id::text)::uuid,
      'periods', jsonb_agg(jsonb_build_object(
        'periodStart', p.period_start, 'periodEnd', p.period_end, 'chargeFen', p.charge_fen,
        'discountFen', p.discount_fen, 'amountFen', p.amount_fen) order by p.seq))
  into v_result
  from billing.prepay_plan(p_unit_id, p_fee_item_id, p_months) p;
  return v_result;
end
$$;
comment on function billing.prepay_quote(uuid, uuid, integer) is
  'What prepaying N months would cost: periods, gross, discount, net and the offer applied — computed here, never taken from the client. For the household and staff (bill.read, payment.record).';

-- -------------------------------------------------------------------------------------
-- Creating, settling and removing prepayments
-- -------------------------------------------------------------------------------------
create or replace function billing.drop_pending_prepayment(p_prepayment_id uuid, p_reason text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  p public.prepayments;
  v_bills uuid[];
begin
  select * into p from public.prepayments where id = p_prepayment_id for update;
  if not found or p.status <> 'pending' then
    return 0;
  end if;
  update public.prepayments set status = 'cancelled', cancel_reason = left(p_reason, 200) where id = p.id;
  select array_agg(b.id) into v_bills from public.bills b
  where b.company_id = p.company_id and b.prepayment_id = p.id and b.status = 'pending';
  -- The checkout's rows on these bills go first (they reference them), then the bills and,
  -- by cascade, their discount lines. Each deletion is in the audit log.
  delete from public.payment_intent_bills ib where ib.bill_id = any (v_bills);
  delete from public.bills b where b.id = any (v_bills);
  return coalesce(cardinality(v_bills), 0);
end
$$;
comment on function billing.drop_pending_prepayment(uuid, text) is
  'Internal: a prepayment whose checkout did not pay ends: status cancelled with the reason, its pending bills (never owed) and the checkout rows on them are deleted. Returns the bills removed; idempotent.';

create or replace function billing.release_prepayment_on_intent_end()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform billing.drop_pending_prepayment(p.id, 'checkout ' || new.status)
  from public.prepayments p
  where p.company_id = new.company_id and p.intent_id = new.id and p.status = 'pending';
  return null;
end
$$;
comment on function billing.release_prepayment_on_intent_end() is
  'AFTER UPDATE OF status on payment_intents: a checkout that failed, expired or was cancelled takes its pending prepayment (and the bills it created) with it.';
revoke all on function billing.release_prepayment_on_intent_end() from public, anon, authenticated;

create trigger payment_intents_release_prepayment after update of status on public.payment_intents
  for each row when (new.status in ('failed', 'expired', 'cancelled') and old.status in ('pending', 'processing'))
  execute function billing.release_prepayment_on_intent_end();

create or replace function billing.release_stale_prepayments(p_community_id uuid, p_unit_id uuid default null)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
  v_orphans integer;
begin
  -- Like release_stale_intents: a pending checkout past its expiry (plus 5 minutes for a late
  -- webhook) expires; the trigger above removes its prepayment's bills. A success that still
  -- arrives is refunded as a duplicate by apply_checkout_event.
  with stale as (
    update public.payment_intents i set status = 'expired', failure_reason = 'expired without a webhook'
    where i.status = 'pending' and i.expires_at < now() - interval '5 minutes'
      and i.id in (
        select p.intent_id from public.prepayments p
        where p.community_id = p_community_id and p.status = 'pending'
          and (p_unit_id is null or p.unit_id = p_unit_id)
      )
    returning i.id
  )
  update public.payment_intent_bills ib set active = false
  from stale where ib.intent_id = stale.id and ib.active;
  get diagnostics v_count = row_count;
  -- A prepayment whose checkout never started (the payments function was not reached).
  select count(billing.drop_pending_prepayment(p.id, 'checkout never started')) into v_orphans
  from public.prepayments p
  where p.community_id = p_community_id and p.status = 'pending' and p.intent_id is null
    and p.created_at < now() - interval '10 minutes'
    and (p_unit_id is null or p.unit_id = p_unit_id);
  return v_count + v_orphans;
end
$$;
comment on function billing.release_stale_prepayments(uuid, uuid) is
  'Expires prepayment checkouts of a community (or one unit) that outlived their session without a webhook, and drops prepayments whose checkout never started within 10 minutes; their pending bills are removed. Called before a prepayment starts and before a bill run.';

create or replace function billing.prepay_offer_label(p_months integer, p_offer jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  -- "预缴优惠（12个月减5%）", "预缴优惠（12个月送1个月）". Mirrors prepayOfferLabel().
  select '预缴优惠（' || p_months || '个月' || case
    when p_offer ? 'percentOffBp' then '减' || trim(trailing '.' from trim(trailing '0' from
      to_char((p_offer ->> 'percentOffBp')::numeric / 100, 'FM9990.00'))) || '%'
    else '送' || (p_offer ->> 'freeMonths') || '个月'
  end || '）'
$$;
comment on function billing.prepay_offer_label(integer, jsonb) is 'The description of a prepay discount line, e.g. 预缴优惠（12个月减5%） or 预缴优惠（12个月送1个月）.';

create or replace function billing.insert_prepayment(
  p_unit_id uuid,
  p_fee_item_id uuid,
  p_months integer,
  p_payer_user_id uuid
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  u public.units;
  v_id uuid := gen_random_uuid();
begin
  select * into u from public.units where id = p_unit_id and deleted_at is null;
  if not found then
    raise exception using errcode = 'P0002', message = 'billing.not_found';
  end if;
  -- Prepayments of one unit and item queue here; the bill run's unique key and the one-pending
  -- index guard the rest.
  perform pg_advisory_xact_lock(hashtextextended('billing.prepay:' || p_unit_id || ':' || p_fee_item_id, 0));
  perform billing.release_stale_prepayments(u.community_id, u.id);
  if exists (
    select 1 from public.prepayments p
    where p.unit_id = p_unit_id and p.fee_item_id = p_fee_item_id and p.status = 'pending'
  ) then
    raise exception using errcode = '55P03', message = 'billing.prepay_in_progress';
  end if;

  create temporary table if not exists billing_prepay_plan (
    seq integer, period_start date, period_end date, due_date date, quantity numeric, unit_price_e4 bigint,
    charge_fen bigint, discount_fen bigint, amount_fen bigint, rule_version_id uuid, offer jsonb
  ) on commit drop;
  delete from billing_prepay_plan;
  insert into billing_prepay_plan select * from billing.prepay_plan(p_unit_id, p_fee_item_id, p_months);

  insert into public.prepayments (
    id, company_id, community_id, unit_id, fee_item_id, rule_version_id, months, period_start, period_end,
    gross_fen, discount_fen, net_fen, offer, periods, payer_user_id
  )
  select v_id, u.company_id, u.community_id, u.id, p_fee_item_id, min(p.rule_version_id::text)::uuid, p_months,
    min(p.period_start), max(p.period_end), sum(p.charge_fen), sum(p.discount_fen), sum(p.amount_fen),
    min(p.offer::text)::jsonb,
    jsonb_agg(jsonb_build_object('periodStart', p.period_start, 'periodEnd', p.period_end,
      'chargeFen', p.charge_fen, 'discountFen', p.discount_fen, 'amountFen', p.amount_fen) order by p.seq),
    p_payer_user_id
  from billing_prepay_plan p;

  -- The bills of the coming periods (pending until paid). A bill run or a front-desk payment
  -- that billed one of these periods meanwhile makes this fail on the bill run's key.
  insert into public.bills (
    company_id, community_id, building_id, unit_id, fee_item_id, period_start, period_end, due_date,
    rule_version_id, quantity, unit_price_e4, charge_fen, detail, amount_fen, status, prepayment_id
  )
  select u.company_id, u.community_id, u.building_id, u.id, p_fee_item_id, p.period_start, p.period_end, p.due_date,
    p.rule_version_id, p.quantity, p.unit_price_e4, p.charge_fen,
    jsonb_build_object('months', p_months / (select count(*) from billing_prepay_plan),
      'billableDays', p.period_end - p.period_start + 1, 'periodDays', p.period_end - p.period_start + 1),
    p.amount_fen, 'pending', v_id
  from billing_prepay_plan p
  order by p.seq;

  insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, detail)
  select b.company_id, b.community_id, b.unit_id, b.id, 'discount',
    billing.prepay_offer_label(p_months, p.offer),
    -p.discount_fen,
    jsonb_build_object('prepaymentId', v_id, 'months', p_months, 'offer', p.offer)
  from billing_prepay_plan p
  join public.bills b on b.company_id = u.company_id and b.prepayment_id = v_id and b.period_start = p.period_start
  where p.discount_fen > 0;
  return v_id;
exception
  when unique_violation then
    raise exception using errcode = '55P03', message = 'billing.prepay_in_progress',
      detail = 'a period was billed or prepaid meanwhile; ask again';
end
$$;
comment on function billing.insert_prepayment(uuid, uuid, integer, uuid) is
  'Internal: creates a pending prepayment with its bills (status pending, one discount line each when an offer applies) from billing.prepay_plan. Callers check permissions and then lock the bills in a checkout or settle them at once.';

create or replace function billing.reserve_prepayment(p_unit_id uuid, p_fee_item_id uuid, p_months integer)
returns table (prepayment_id uuid, bill_ids uuid[], net_fen bigint, reused boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  u public.units;
  v_open public.prepayments;
  v_open_intent public.intent_status;
  v_id uuid;
  v_reused boolean := false;
begin
  select * into u from public.units x where x.id = p_unit_id and x.deleted_at is null;
  if v_uid is null or not found
    or not (p_unit_id = any ((select private.household_unit_ids('bills.pay'))::uuid[])) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('billing.prepay:' || p_unit_id || ':' || p_fee_item_id, 0));
  perform billing.release_stale_prepayments(u.community_id, u.id);

  select * into v_open from public.prepayments x
  where x.unit_id = p_unit_id and x.fee_item_id = p_fee_item_id and x.status = 'pending'
  for update;
  if found then
    select i.status into v_open_intent from public.payment_intents i
    where i.company_id = v_open.company_id and i.id = v_open.intent_id;
    if v_open.payer_user_id = v_uid and v_open.months = p_months then
      -- The same choice again (back from the checkout, a second tab): the same bills, so the
      -- payments function hands out the same open checkout.
      v_id := v_open.id;
      v_reused := true;
    elsif v_open.payer_user_id = v_uid and coalesce(v_open_intent::text, '') not in ('pending', 'processing') then
      -- The caller's own, no checkout open on it: replaced by this one.
      perform billing.drop_pending_prepayment(v_open.id, 'replaced by a new prepayment');
    else
      -- Someone's checkout is open on these months: it ends within its session (35 minutes).
      raise exception using errcode = '55P03', message = 'billing.prepay_in_progress';
    end if;
  end if;
  if v_id is null then
    v_id := billing.insert_prepayment(p_unit_id, p_fee_item_id, p_months, v_uid);
  end if;
  return query
  select p.id, array(select b.id from public.bills b where b.company_id = p.company_id and b.prepayment_id = p.id
                     order by b.period_start), p.net_fen, v_reused
  from public.prepayments p where p.id = v_id;
end
$$;
comment on function billing.reserve_prepayment(uuid, uuid, integer) is
  'A resident (bills.pay on the unit) prepays N months online, step 1: the prepayment and its pending bills with the amounts computed here (the same open one when asked again for the same months). Step 2 is the ordinary checkout of exactly those bills (payments function → billing.begin_payment), which links the checkout; a failed, expired or cancelled checkout removes them.';

create or replace function billing.cancel_prepayment(p_prepayment_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  p public.prepayments;
begin
  select * into p from public.prepayments x where x.id = p_prepayment_id for update;
  if not found or p.payer_user_id is distinct from (select auth.uid()) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if p.status <> 'pending' or exists (
    select 1 from public.payment_intents i
    where i.company_id = p.company_id and i.id = p.intent_id and i.status in ('pending', 'processing')
  ) then
    return false;
  end if;
  return billing.drop_pending_prepayment(p.id, 'checkout could not start') > 0;
end
$$;
comment on function billing.cancel_prepayment(uuid) is
  'The payer withdraws their pending prepayment whose checkout could not start (no open checkout on it); its bills are removed. False when there was nothing to withdraw.';

-- -------------------------------------------------------------------------------------
-- Checkout: begin_payment (20261122402000) also takes the bills of the caller's own pending
-- prepayment — all of them, nothing else — and links the checkout to it
-- -------------------------------------------------------------------------------------
create or replace function billing.begin_payment(
  p_bill_ids uuid[],
  p_provider public.payment_provider,
  p_methods text[],
  p_ttl interval default interval '30 minutes'
)
returns table (intent_id uuid, amount_fen bigint, expires_at timestamptz, items jsonb)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_ids uuid[];
  v_company_id uuid;
  v_community_id uuid;
  v_count integer;
  v_intent_id uuid;
  v_amount bigint;
  v_expires timestamptz := now() + p_ttl;
  v_today date := billing.today();
  v_prepayment_id uuid;
begin
  if v_uid is null then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  select array_agg(distinct x order by x) into v_ids from unnest(p_bill_ids) x;
  if coalesce(cardinality(v_ids), 0) = 0 or cardinality(v_ids) > 24 then
    raise exception using errcode = '22023', message = 'billing.select_bills';
  end if;
  if p_provider = 'offline' or p_methods is null or cardinality(p_methods) = 0 then
    raise exception using errcode = '22023', message = 'billing.invalid_method';
  end if;

  perform billing.release_stale_intents(v_ids);

  -- Row locks in id order: concurrent checkouts of overlapping bills queue instead of deadlocking.
  perform 1 from public.bills b where b.id = any (v_ids) order by b.id for update;

  select count(*), min(b.company_id::text)::uuid, min(b.community_id::text)::uuid
  into v_count, v_company_id, v_community_id
  from public.bills b
  where b.id = any (v_ids)
    and b.unit_id = any ((select private.household_unit_ids('bills.pay'))::uuid[]);
  if v_count <> cardinality(v_ids) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if (select count(distinct b.community_id) from public.bills b where b.id = any (v_ids)) > 1 then
    raise exception using errcode = '22023', message = 'billing.one_community_per_payment';
  end if;
  if exists (select 1 from public.bills b where b.id = any (v_ids) and b.status <> 'unpaid') then
    -- Not unpaid bills: only the whole set of pending bills of the caller's own prepayment.
    select p.id into v_prepayment_id from public.prepayments p
    where p.status = 'pending' and p.payer_user_id = v_uid
      and p.id = (select min(b.prepayment_id::text)::uuid from public.bills b where b.id = any (v_ids));
    if v_prepayment_id is null
      or exists (
        select 1 from public.bills b
        where b.id = any (v_ids) and (b.status <> 'pending' or b.prepayment_id is distinct from v_prepayment_id))
      or (select count(*) from public.bills b
          where b.company_id = v_company_id and b.prepayment_id = v_prepayment_id) <> cardinality(v_ids) then
      raise exception using errcode = 'P0001', message = 'billing.bill_not_unpaid';
    end if;
  end if;
  if exists (select 1 from public.payment_intent_bills ib where ib.bill_id = any (v_ids) and ib.active) then
    raise exception using errcode = '55P03', message = 'billing.bill_locked';
  end if;

  insert into public.payment_intents (company_id, community_id, user_id, provider, amount_fen, methods, expires_at)
  select v_company_id, v_community_id, v_uid, p_provider, sum(a.total_fen), p_methods, v_expires
  from billing.bill_amounts_unchecked(v_ids, v_today) a
  returning id, payment_intents.amount_fen into v_intent_id, v_amount;

  insert into public.payment_intent_bills (intent_id, bill_id, company_id, amount_fen, late_fee_fen)
  select v_intent_id, a.bill_id, v_company_id, a.amount_fen, a.late_fee_fen
  from billing.bill_amounts_unchecked(v_ids, v_today) a;

  if v_prepayment_id is not null then
    update public.prepayments set intent_id = v_intent_id where id = v_prepayment_id;
  end if;

  return query
  select v_intent_id, v_amount, v_expires,
    jsonb_agg(jsonb_build_object(
      'billId', b.id, 'feeItem', fi.name, 'periodStart', b.period_start, 'periodEnd', b.period_end,
      'amountFen', ib.amount_fen, 'lateFeeFen', ib.late_fee_fen) order by b.period_start, fi.sort_order, b.id)
  from public.payment_intent_bills ib
  join public.bills b on b.id = ib.bill_id
  join public.fee_items fi on fi.id = b.fee_item_id
  where ib.intent_id = v_intent_id;
end
$$;
comment on function billing.begin_payment(uuid[], public.payment_provider, text[], interval) is
  'The resident starts a checkout: checks bills.pay on every bill''s unit, row-locks the bills, refuses paid or already-locked ones (billing.bill_locked), recomputes the amount with today''s late fee and takes the per-bill lock. Also takes exactly the pending bills of the caller''s own prepayment (and links the checkout to it). Returns the intent and its items.';

create or replace function billing.record_offline_prepayment(
  p_unit_id uuid,
  p_fee_item_id uuid,
  p_months integer,
  p_method public.payment_method,
  p_payer_name text,
  p_note text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  u public.units;
  v_prepayment public.prepayments;
  v_prepayment_id uuid;
  v_payment_id uuid;
begin
  select * into u from public.units where id = p_unit_id and deleted_at is null;
  if not found or not billing.can(u.company_id, 'payment.record', u.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if p_method not in ('cash', 'transfer') then
    raise exception using errcode = '22023', message = 'billing.invalid_method';
  end if;
  if char_length(btrim(coalesce(p_payer_name, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.payer_required';
  end if;

  v_prepayment_id := billing.insert_prepayment(p_unit_id, p_fee_item_id, p_months, null);
  select * into v_prepayment from public.prepayments where id = v_prepayment_id;

  insert into public.payments (
    company_id, community_id, receipt_no, payer_name, method, provider, status, amount_fen, recorded_by, note
  ) values (
    u.company_id, u.community_id, billing.next_receipt_no(u.company_id), btrim(p_payer_name), p_method, 'offline',
    'succeeded', v_prepayment.net_fen, (select auth.uid()), nullif(btrim(coalesce(p_note, '')), '')
  )
  returning id into v_payment_id;
  insert into public.payment_bills (payment_id, bill_id, company_id, amount_fen, late_fee_fen)
  select v_payment_id, b.id, b.company_id, b.amount_fen, 0
  from public.bills b where b.company_id = u.company_id and b.prepayment_id = v_prepayment.id;
  update public.bills b set status = 'paid', payment_id = v_payment_id, paid_at = now()
  where b.company_id = u.company_id and b.prepayment_id = v_prepayment.id;
  update public.prepayments set status = 'paid', payment_id = v_payment_id where id = v_prepayment.id;
  return v_payment_id;
end
$$;
comment on function billing.record_offline_prepayment(uuid, uuid, integer, public.payment_method, text, text) is
  'Front desk (payment.record): N months ahead in cash or by transfer — prepayment, bills, discount lines, payment and receipt in one transaction. Returns the payment.';

-- -------------------------------------------------------------------------------------
-- Settling: the webhook pays a prepayment's pending bills like any checkout's
-- (billing.settle_intent of 20261122402000 with the prepayment cases added)
-- -------------------------------------------------------------------------------------
create or replace function billing.settle_intent(
  p_intent public.payment_intents,
  p_method public.payment_method,
  p_provider_payment_id text,
  p_amount_fen bigint
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_payment_id uuid;
  v_unit_id uuid;
  v_all_payable boolean;
  v_refund_id uuid;
  v_receipt text;
  v_prepayment_id uuid;
begin
  if p_intent.status = 'succeeded' then
    return jsonb_build_object('outcome', 'ignored:already_settled', 'paymentId', p_intent.payment_id);
  end if;
  select p.id into v_prepayment_id from public.prepayments p
  where p.company_id = p_intent.company_id and p.intent_id = p_intent.id and p.status = 'pending'
  for update;
  perform 1 from public.bills b
  where b.id in (select ib.bill_id from public.payment_intent_bills ib where ib.intent_id = p_intent.id)
  order by b.id for update;
  -- Payable: unpaid bills, or the pending bills of this checkout's own prepayment. A checkout
  -- whose prepayment was removed (it expired, then the money came) has no bills left: duplicate.
  select coalesce(bool_and(b.status = 'unpaid' or (b.status = 'pending' and b.prepayment_id = v_prepayment_id)), false),
    min(b.unit_id::text)::uuid
  into v_all_payable, v_unit_id
  from public.payment_intent_bills ib join public.bills b on b.id = ib.bill_id
  where ib.intent_id = p_intent.id;
  if v_unit_id is null then
    select p.unit_id into v_unit_id from public.prepayments p
    where p.company_id = p_intent.company_id and p.intent_id = p_intent.id;
  end if;

  v_receipt := billing.next_receipt_no(p_intent.company_id);
  insert into public.payments (
    company_id, community_id, receipt_no, payer_user_id, payer_name, method, provider, status,
    amount_fen, intent_id, provider_payment_id
  ) values (
    p_intent.company_id, p_intent.community_id, v_receipt, p_intent.user_id,
    billing.payer_name(p_intent.user_id, v_unit_id), p_method, p_intent.provider,
    case when v_all_payable and p_amount_fen = p_intent.amount_fen then 'succeeded' else 'duplicate' end::public.payment_status,
    p_amount_fen, p_intent.id, p_provider_payment_id
  )
  returning id into v_payment_id;

  update public.payment_intents set status = 'succeeded', payment_id = v_payment_id where id = p_intent.id;
  update public.payment_intent_bills set active = false where intent_id = p_intent.id and active;

  if v_all_payable and p_amount_fen = p_intent.amount_fen then
    insert into public.payment_bills (payment_id, bill_id, company_id, amount_fen, late_fee_fen)
    select v_payment_id, ib.bill_id, ib.company_id, ib.amount_fen, ib.late_fee_fen
    from public.payment_intent_bills ib where ib.intent_id = p_intent.id;
    insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, detail, created_by)
    select b.company_id, b.community_id, b.unit_id, b.id, 'late_fee', '滞纳金', ib.late_fee_fen,
      jsonb_build_object('dueDate', b.due_date, 'paidOn', billing.today()), null
    from public.payment_intent_bills ib join public.bills b on b.id = ib.bill_id
    where ib.intent_id = p_intent.id and ib.late_fee_fen > 0;
    update public.bills b
    set status = 'paid', payment_id = v_payment_id, paid_at = now(), late_fee_fen = ib.late_fee_fen
    from public.payment_intent_bills ib
    where ib.intent_id = p_intent.id and b.id = ib.bill_id;
    if v_prepayment_id is not null then
      update public.prepayments set status = 'paid', payment_id = v_payment_id where id = v_prepayment_id;
    end if;
    perform billing.notify('billing.paid:' || v_payment_id, p_intent.company_id, p_intent.community_id,
      array[p_intent.user_id], '缴费成功',
      '已收到 ' || billing.yuan(p_amount_fen) || '，电子缴费凭证号 ' || v_receipt || '。',
      '/bills/payments/' || v_payment_id,
      jsonb_build_object('paymentId', v_payment_id, 'receiptNo', v_receipt, 'amountFen', p_amount_fen));
    return jsonb_build_object('outcome', 'settled', 'paymentId', v_payment_id);
  end if;

  -- The bills were settled meanwhile (another checkout, the front desk), the prepayment was
  -- removed, or the amount differs: keep the money on record and refund it in full. A
  -- prepayment still pending here ends with its bills (they were never paid).
  if v_prepayment_id is not null then
    perform billing.drop_pending_prepayment(v_prepayment_id, 'duplicate payment refunded');
  end if;
  insert into public.refunds (company_id, community_id, payment_id, amount_fen, reason, status)
  values (p_intent.company_id, p_intent.community_id, v_payment_id, p_amount_fen,
    case when v_all_payable then 'amount differs from the checkout' else 'duplicate payment: bills already settled' end,
    'pending')
  returning id into v_refund_id;
  return jsonb_build_object('outcome', 'duplicate_payment', 'paymentId', v_payment_id,
    'refund', jsonb_build_object('refundId', v_refund_id, 'providerPaymentId', p_provider_payment_id, 'amountFen', p_amount_fen));
end
$$;
comment on function billing.settle_intent(public.payment_intents, public.payment_method, text, bigint) is
  'Internal: turns a paid checkout into a payment. All bills payable (unpaid, or pending bills of its own prepayment) and the amount as quoted: they become paid (late fee lines fixed, prepayment paid). Otherwise the payment is a duplicate, a pending prepayment is removed and a full refund is opened (returned for the caller to execute).';

-- -------------------------------------------------------------------------------------
-- Bill runs skip periods a prepayment holds; a stale prepayment checkout is released first
-- (billing.publish_bill_run of 20261122401000 with that one step added)
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

  -- A prepayment checkout abandoned without a webhook must not keep its periods from the run.
  perform billing.release_stale_prepayments(p_community_id);

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
  'Publishes the bill run of a community and month: releases stale prepayment checkouts, inserts every computed bill that does not exist yet (unique unit × item × period — prepaid periods included) with its charge, and notifies residents once. Running it again creates nothing twice. Needs bill.manage.';

-- -------------------------------------------------------------------------------------
-- Grants
-- -------------------------------------------------------------------------------------
revoke all on function billing.prepay_offer_is_valid(jsonb) from public, anon;
revoke all on function billing.prepay_offer_label(integer, jsonb) from public, anon, authenticated;
revoke all on function billing.prepay_basis(uuid, uuid) from public, anon, authenticated;
revoke all on function billing.prepay_plan(uuid, uuid, integer) from public, anon, authenticated;
revoke all on function billing.can_prepay_for(uuid, public.app_permission[]) from public, anon, authenticated;
revoke all on function billing.prepay_options(uuid) from public, anon;
revoke all on function billing.prepay_quote(uuid, uuid, integer) from public, anon;
revoke all on function billing.drop_pending_prepayment(uuid, text) from public, anon, authenticated;
revoke all on function billing.release_stale_prepayments(uuid, uuid) from public, anon, authenticated;
revoke all on function billing.insert_prepayment(uuid, uuid, integer, uuid) from public, anon, authenticated;
revoke all on function billing.reserve_prepayment(uuid, uuid, integer) from public, anon;
revoke all on function billing.cancel_prepayment(uuid) from public, anon;
revoke all on function billing.record_offline_prepayment(uuid, uuid, integer, public.payment_method, text, text) from public, anon;

grant execute on function billing.prepay_offer_is_valid(jsonb) to authenticated, service_role;
grant execute on function billing.prepay_options(uuid) to authenticated, service_role;
grant execute on function billing.prepay_quote(uuid, uuid, integer) to authenticated, service_role;
grant execute on function billing.reserve_prepayment(uuid, uuid, integer) to authenticated;
grant execute on function billing.cancel_prepayment(uuid) to authenticated;
grant execute on function billing.record_offline_prepayment(uuid, uuid, integer, public.payment_method, text, text) to authenticated, service_role;
