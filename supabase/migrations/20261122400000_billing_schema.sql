-- =====================================================================================
-- Billing (issue #8): fee items, versioned rules, meters, bills, payments
--
--   fee_items            收费项目  per community: 物业费, 水费, 电费, 燃气费, 停车费, 公摊, 垃圾费 …
--   fee_rule_versions    收费标准  the rule of a fee item, versioned by effective date (JSON checked
--                                  by billing.rule_is_valid and by the TypeScript rule engine)
--   billing_settings     per community: reminder offsets, payee name and seal text on receipts
--   meters / meter_readings  水电燃气表 and their readings (manual, Excel import, device bridge)
--   bill_runs            one published bill run per community and period (账期)
--   bills / bill_lines   应收: one bill per unit × fee item × period; lines show rule, quantity,
--                        unit price, period; adjustments, waivers and late fees are lines too
--   payment_intents      an online checkout in progress: locks its bills (unique partial index)
--   payments             实收: online (Stripe/sandbox) or at the front desk (cash, transfer)
--   refunds              退款 of a whole payment
--   billing.payment_events   every webhook event id ever applied (server-only)
--   billing.bill_reminders   which reminder (bill × offset) was sent (server-only)
--
-- Money is integer fen (分) everywhere (bigint). Unit prices are integer 1/10,000 yuan
-- ("e4", 0.01 fen) so published prices such as 0.4883 元/kWh are exact. Every line amount is
-- computed exactly and rounded ONCE, half-up (四舍五入), to the fen — the same rule in SQL
-- (round(numeric)) and in TypeScript (app/modules/billing/rules/money.ts).
--
-- Internal functions and server-only tables live in the `billing` schema, which, like
-- `private`, is not exposed through the Data API. Policies are in 20261122403000.
-- =====================================================================================

create schema if not exists billing;
comment on schema billing is
  'Billing internals: set-based bill runs, payment state machine, webhook ledger, reminders. Never exposed through the Data API.';
revoke all on schema billing from public;
grant usage on schema billing to authenticated, service_role;
alter default privileges in schema billing revoke execute on functions from public;

-- -------------------------------------------------------------------------------------
-- Vocabulary
-- -------------------------------------------------------------------------------------
create type public.fee_kind as enum ('property', 'water', 'electricity', 'gas', 'parking', 'shared', 'garbage', 'other');
comment on type public.fee_kind is
  '物业费 property, 水费 water, 电费 electricity, 燃气费 gas, 停车费 parking, 公摊 shared (common-area utilities), 垃圾费 garbage, 其他 other. Reports group by it.';

create type public.fee_method as enum ('fixed', 'area', 'per_space', 'metered');
comment on type public.fee_method is
  'How a rule charges: fixed per unit per month; per m² of floor area per month; per parking space per month; metered use with tiered (阶梯) prices.';

create type public.billing_cycle as enum ('monthly', 'quarterly', 'yearly');
comment on type public.billing_cycle is 'Billing cycle of a fee item: a bill covers 1, 3 or 12 months starting on the 1st of its first month.';

create type public.bill_status as enum ('unpaid', 'paid', 'waived', 'refunded');
comment on type public.bill_status is
  'unpaid (overdue is derived: unpaid and past due_date), paid, waived (减免, with a reason), refunded (its payment was refunded). Transitions in private.state_transitions (machine bill).';

create type public.bill_line_kind as enum ('charge', 'adjustment', 'waiver', 'late_fee', 'discount');
comment on type public.bill_line_kind is 'charge: the rule charge, which lives on the bill row (bills.charge_fen) and is only shown as a line; adjustment: staff correction (±, reason); waiver: 减免; late_fee: 滞纳金 fixed at payment; discount: prepay discount.';

create type public.reading_source as enum ('manual', 'import', 'device');
comment on type public.reading_source is 'Where a meter reading came from: typed in, Excel import, or the device bridge.';

create type public.payment_method as enum ('wechat_pay', 'alipay', 'card', 'cash', 'transfer', 'sandbox');
comment on type public.payment_method is 'How money arrived. wechat_pay/alipay/card through Stripe Checkout; cash/transfer at the front desk; sandbox in local development.';

create type public.payment_provider as enum ('stripe', 'sandbox', 'offline');
comment on type public.payment_provider is 'Who moved the money: Stripe (hosted), the local sandbox (Stripe-compatible), or the front desk.';

create type public.payment_status as enum ('succeeded', 'refunded', 'duplicate');
comment on type public.payment_status is
  'succeeded: settles its bills; refunded: money returned; duplicate: money arrived for bills already paid — it settles nothing and is refunded automatically.';

create type public.intent_status as enum ('pending', 'processing', 'succeeded', 'failed', 'expired', 'cancelled');
comment on type public.intent_status is
  'Online checkout: pending (checkout open) → processing (WeChat/Alipay confirming asynchronously) → succeeded | failed | expired | cancelled. Only pending/processing intents lock bills.';

create type public.refund_status as enum ('pending', 'succeeded', 'failed');
comment on type public.refund_status is 'pending until the provider confirms (webhook); offline refunds are succeeded at once.';

insert into private.state_transitions (machine, from_state, to_state) values
  ('bill', '', 'unpaid'),
  ('bill', 'unpaid', 'paid'),
  ('bill', 'unpaid', 'waived'),
  ('bill', 'paid', 'refunded'),
  ('payment_intent', '', 'pending'),
  ('payment_intent', 'pending', 'processing'),
  ('payment_intent', 'pending', 'succeeded'),
  ('payment_intent', 'pending', 'failed'),
  ('payment_intent', 'pending', 'expired'),
  ('payment_intent', 'pending', 'cancelled'),
  ('payment_intent', 'processing', 'succeeded'),
  ('payment_intent', 'processing', 'failed'),
  -- A success can arrive after we gave up on the checkout (late webhook): it is still money.
  ('payment_intent', 'expired', 'succeeded'),
  ('payment_intent', 'failed', 'succeeded'),
  ('payment_intent', 'cancelled', 'succeeded'),
  ('payment', '', 'succeeded'),
  ('payment', '', 'duplicate'),
  ('payment', 'succeeded', 'refunded'),
  ('payment', 'duplicate', 'refunded'),
  ('refund', '', 'pending'),
  ('refund', '', 'succeeded'),
  ('refund', 'pending', 'succeeded'),
  ('refund', 'pending', 'failed');

-- -------------------------------------------------------------------------------------
-- Rule validation (structure only; the TypeScript engine's zod schema is the full contract)
-- -------------------------------------------------------------------------------------
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
        -- only the last tier is open-ended
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
$$;
comment on function billing.rule_is_valid(jsonb) is
  'Structural check of a fee rule (method, prices as whole 1/10,000 yuan, tiers with an open last tier, late fee fields). See docs/billing.md for the format.';

-- -------------------------------------------------------------------------------------
-- Fee items and their rule versions
-- -------------------------------------------------------------------------------------
create table public.fee_items (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  name text not null check (char_length(name) between 1 and 32),
  kind public.fee_kind not null,
  billing_cycle public.billing_cycle not null default 'monthly',
  applies_to public.unit_use[] not null default '{residential}' check (cardinality(applies_to) > 0),
  bill_vacant boolean not null default true,
  due_days smallint not null default 14 check (due_days between 0 and 366),
  sort_order integer not null default 0,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fee_items_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint fee_items_company_id_id_key unique (company_id, id),
  constraint fee_items_community_name_key unique (company_id, community_id, name)
);
comment on table public.fee_items is 'Fee items (收费项目) of a community. What they cost is in fee_rule_versions.';
comment on column public.fee_items.kind is 'Fee type for reports and icons; the name is what residents read.';
comment on column public.fee_items.applies_to is 'Unit uses billed by this item, e.g. {residential} for 物业费 or {parking} for 停车费.';
comment on column public.fee_items.bill_vacant is 'Bill units without a current owner/tenant (空置房) too; when false they are skipped.';
comment on column public.fee_items.due_days is 'Due date = first day of the bill period + due_days (default 14: the 15th).';

create index fee_items_community_idx on public.fee_items (company_id, community_id, sort_order);

create table public.fee_rule_versions (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  fee_item_id uuid not null,
  effective_from date not null check (extract(day from effective_from) = 1),
  rule jsonb not null check (billing.rule_is_valid(rule)),
  note text check (char_length(note) <= 200),
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  constraint fee_rule_versions_item_fkey foreign key (company_id, fee_item_id)
    references public.fee_items (company_id, id) on delete cascade,
  constraint fee_rule_versions_item_from_key unique (fee_item_id, effective_from)
);
comment on table public.fee_rule_versions is
  'Versions of a fee item''s rule (收费标准). The version in force on a bill period''s first day prices the whole period; versions are never edited, a change is a new version.';
comment on column public.fee_rule_versions.effective_from is 'First day (always the 1st of a month) from which this version applies.';
comment on column public.fee_rule_versions.rule is
  'JSON rule: {method, unitPriceE4 | tiers[{upTo, unitPriceE4}], tierBasis, proration, lateFee{dailyRateBp, graceDays, capBp}, prepayDiscounts[{minMonths, percentOffBp}]}. Prices in 1/10,000 yuan.';
create index fee_rule_versions_item_idx on public.fee_rule_versions (company_id, fee_item_id, effective_from desc);

create table public.billing_settings (
  community_id uuid primary key,
  company_id uuid not null,
  reminder_days smallint[] not null default '{7,3}' check (cardinality(reminder_days) <= 5 and 0 < all (reminder_days)),
  payee_name text check (char_length(payee_name) <= 100),
  seal_text text check (char_length(seal_text) <= 40),
  updated_at timestamptz not null default now(),
  constraint billing_settings_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete cascade
);
comment on table public.billing_settings is 'Per-community billing settings; a community without a row uses the defaults.';
comment on column public.billing_settings.reminder_days is 'Days before the due date when residents are reminded (default 7 and 3); on the due date and when overdue they are reminded anyway.';
comment on column public.billing_settings.payee_name is 'Payee (收款单位) printed on receipts; defaults to the company name.';
comment on column public.billing_settings.seal_text is 'Text of the seal (财务专用章) drawn on e-receipts.';
create index billing_settings_company_idx on public.billing_settings (company_id, community_id);

-- -------------------------------------------------------------------------------------
-- Meters and readings
-- -------------------------------------------------------------------------------------
create table public.meters (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  fee_item_id uuid not null,
  serial text check (char_length(serial) <= 64),
  multiplier numeric(10, 3) not null default 1 check (multiplier > 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint meters_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint meters_item_fkey foreign key (company_id, fee_item_id)
    references public.fee_items (company_id, id) on delete restrict,
  constraint meters_company_id_id_key unique (company_id, id)
);
comment on table public.meters is 'A water/electricity/gas meter of a unit, billed by a metered fee item.';
comment on column public.meters.multiplier is 'Meter ratio (倍率): use = (reading difference) × multiplier.';
create unique index meters_one_active_key on public.meters (company_id, unit_id, fee_item_id) where active;
create index meters_item_idx on public.meters (company_id, fee_item_id);
create index meters_community_idx on public.meters (company_id, community_id, unit_id);

create table public.meter_readings (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  meter_id uuid not null,
  read_on date not null,
  reading numeric(14, 3) not null check (reading >= 0),
  source public.reading_source not null default 'manual',
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  constraint meter_readings_meter_fkey foreign key (company_id, meter_id)
    references public.meters (company_id, id) on delete cascade,
  constraint meter_readings_meter_day_key unique (meter_id, read_on)
);
comment on table public.meter_readings is
  'Cumulative meter readings (抄表). A reading lower than the one before it (or higher than a later one) is rejected with billing.reading_decreased.';
comment on column public.meter_readings.read_on is 'Day of the reading; the reading is the meter state at the end of that day.';
create index meter_readings_meter_idx on public.meter_readings (company_id, meter_id, read_on desc);

create or replace function billing.check_meter_reading()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_before numeric;
  v_after numeric;
begin
  select m.company_id, m.community_id into new.company_id, new.community_id
  from public.meters m where m.id = new.meter_id;
  if not found then
    raise exception using errcode = 'P0002', message = 'billing.meter_not_found';
  end if;
  select r.reading into v_before from public.meter_readings r
  where r.meter_id = new.meter_id and r.read_on < new.read_on and r.id <> new.id
  order by r.read_on desc limit 1;
  select r.reading into v_after from public.meter_readings r
  where r.meter_id = new.meter_id and r.read_on > new.read_on and r.id <> new.id
  order by r.read_on limit 1;
  if new.reading < v_before then
    raise exception using errcode = '23514', message = 'billing.reading_decreased',
      detail = format('reading %s on %s is lower than the previous reading %s', new.reading, new.read_on, v_before);
  end if;
  if new.reading > v_after then
    raise exception using errcode = '23514', message = 'billing.reading_decreased',
      detail = format('reading %s on %s is higher than the later reading %s', new.reading, new.read_on, v_after);
  end if;
  return new;
end
$$;
comment on function billing.check_meter_reading() is
  'BEFORE INSERT/UPDATE on meter_readings: tenant keys from the meter; readings never go down over time (rejected with billing.reading_decreased and the reason in detail).';

create trigger meter_readings_check
  before insert or update of reading, read_on, meter_id on public.meter_readings
  for each row execute function billing.check_meter_reading();

-- -------------------------------------------------------------------------------------
-- Bill runs, bills and lines
-- -------------------------------------------------------------------------------------
create table public.bill_runs (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  period_start date not null check (extract(day from period_start) = 1),
  published_by uuid,
  published_at timestamptz not null default now(),
  bill_count integer not null default 0,
  total_fen bigint not null default 0,
  constraint bill_runs_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint bill_runs_company_id_id_key unique (company_id, id),
  constraint bill_runs_community_period_key unique (company_id, community_id, period_start)
);
comment on table public.bill_runs is
  'A published bill run (出账) for a community and month. Publishing again adds only bills that do not exist yet (idempotent); bill_count/total_fen are running totals.';
comment on column public.bill_runs.period_start is 'The month billed (its 1st). Quarterly/yearly items are billed in their first month.';

create table public.bills (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  building_id uuid not null,
  unit_id uuid not null,
  fee_item_id uuid not null,
  bill_run_id uuid,
  period_start date not null,
  period_end date not null,
  due_date date not null,
  rule_version_id uuid not null,
  quantity numeric(16, 3) not null,
  unit_price_e4 bigint,
  charge_fen bigint not null check (charge_fen > 0),
  detail jsonb not null default '{}',
  amount_fen bigint not null check (amount_fen >= 0),
  late_fee_fen bigint not null default 0 check (late_fee_fen >= 0),
  status public.bill_status not null default 'unpaid',
  payment_id uuid,
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bills_unit_fkey foreign key (company_id, community_id, unit_id)
    references public.units (company_id, community_id, id) on delete restrict,
  constraint bills_company_id_id_key unique (company_id, id),
  -- Idempotency of bill runs: one bill per unit, fee item and period, whoever runs it how often.
  constraint bills_unit_item_period_key unique (unit_id, fee_item_id, period_start),
  constraint bills_period_check check (period_end >= period_start),
  constraint bills_paid_stamp check (status not in ('paid', 'refunded') or (payment_id is not null and paid_at is not null))
);
comment on table public.bills is
  'Receivables (应收账单): one per unit, fee item and period, carrying its rule charge (quantity × unit price over the period); later adjustments, waivers, discounts and the late fee are bill_lines. amount_fen = charge_fen + adjustment/discount lines; late_fee_fen is fixed when it is paid.';
comment on column public.bills.bill_run_id is
  'The run that created it (null for bills made otherwise). No foreign key on purpose: a run inserts 100k+ bills, each check of the one parent row would cost as much as the insert; runs are never deleted.';
comment on column public.bills.rule_version_id is
  'The rule version that priced the charge (its late fee rule applies too). Like fee_item_id it has no foreign key: bills are only inserted by billing.publish_bill_run from the joined rows themselves, and billing.guard_billed_delete keeps billed fee items and rule versions from being deleted. A run of 100k+ bills would otherwise spend more on the checks than on the insert.';
comment on column public.bills.quantity is 'Billed quantity of the charge: m², kWh, m³, spaces or units (3 decimals).';
comment on column public.bills.unit_price_e4 is 'Unit price of the charge in 1/10,000 yuan (0.4883 元 = 4883); null when several tiers applied.';
comment on column public.bills.charge_fen is 'The rule charge, exact and rounded once half-up to the fen.';
comment on column public.bills.detail is 'Computation detail of the charge: months and billable/period days, or the readings and the use before this period in the tier basis.';
comment on column public.bills.building_id is 'Copied from the unit, for reports by building.';
comment on column public.bills.amount_fen is 'Amount due before late fees, in fen: the sum of the bill''s non-late-fee lines.';
comment on column public.bills.late_fee_fen is '滞纳金 charged when the bill was paid (0 until then; while unpaid it is computed as of today).';
comment on column public.bills.payment_id is 'The payment that settled it.';

-- Few indexes on purpose: a bill run inserts 100k+ bills at once. A resident's bills are found
-- through bills_unit_item_period_key (it leads with unit_id).
create index bills_collection_idx on public.bills (company_id, community_id, status, due_date);
create index bills_item_period_idx on public.bills (company_id, fee_item_id, period_start);
create index bills_run_idx on public.bills (company_id, bill_run_id);
create index bills_unit_idx on public.bills (company_id, community_id, unit_id);
create index bills_rule_idx on public.bills (rule_version_id);
create index bills_payment_idx on public.bills (company_id, payment_id);

create table public.bill_lines (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  unit_id uuid not null,
  bill_id uuid not null,
  kind public.bill_line_kind not null,
  description text not null check (char_length(description) <= 200),
  rule_version_id uuid,
  period_start date,
  period_end date,
  quantity numeric(16, 3),
  unit_price_e4 bigint,
  amount_fen bigint not null,
  detail jsonb not null default '{}',
  reason text check (char_length(reason) <= 500),
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  constraint bill_lines_bill_fkey foreign key (company_id, bill_id)
    references public.bills (company_id, id) on delete cascade,
  constraint bill_lines_rule_fkey foreign key (rule_version_id)
    references public.fee_rule_versions (id) on delete restrict,
  constraint bill_lines_reason_required check (kind in ('charge', 'late_fee', 'discount') or char_length(btrim(reason)) > 0)
);
comment on table public.bill_lines is
  'Changes to a bill after its charge (which is on the bill itself): staff adjustments and waivers (with a reason), discounts and the late fee fixed at payment.';
comment on column public.bill_lines.quantity is 'Billed quantity: m², kWh, m³, spaces or units (3 decimals).';
comment on column public.bill_lines.unit_price_e4 is 'Unit price in 1/10,000 yuan (0.4883 元 = 4883); null for flat lines.';
comment on column public.bill_lines.detail is 'Computation detail: months, billable/period days, meter readings, tier breakdown.';
create index bill_lines_bill_idx on public.bill_lines (company_id, bill_id);
create index bill_lines_rule_idx on public.bill_lines (rule_version_id);

-- -------------------------------------------------------------------------------------
-- Payments
-- -------------------------------------------------------------------------------------
create table public.payment_intents (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  user_id uuid not null references public.profiles (id) on delete restrict,
  provider public.payment_provider not null check (provider <> 'offline'),
  status public.intent_status not null default 'pending',
  amount_fen bigint not null check (amount_fen > 0),
  currency text not null default 'cny' check (currency = 'cny'),
  methods text[] not null,
  checkout_session_id text unique,
  checkout_url text,
  expires_at timestamptz not null,
  payment_id uuid,
  failure_reason text check (char_length(failure_reason) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint payment_intents_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint payment_intents_company_id_id_key unique (company_id, id)
);
comment on table public.payment_intents is
  'An online checkout for some bills, created by the payments function with the amount recomputed in SQL. Its id is the Stripe idempotency key and client_reference_id.';
comment on column public.payment_intents.checkout_session_id is 'Stripe Checkout Session id (cs_…), set once the provider answered.';
comment on column public.payment_intents.expires_at is 'When the checkout session expires; a pending intent past it (plus a grace period) no longer locks its bills.';
create index payment_intents_user_idx on public.payment_intents (user_id, created_at desc);
create index payment_intents_community_idx on public.payment_intents (company_id, community_id, status);
create index payment_intents_payment_idx on public.payment_intents (company_id, payment_id);

create table public.payment_intent_bills (
  intent_id uuid not null,
  bill_id uuid not null,
  company_id uuid not null,
  amount_fen bigint not null check (amount_fen >= 0),
  late_fee_fen bigint not null check (late_fee_fen >= 0),
  active boolean not null default true,
  primary key (intent_id, bill_id),
  constraint payment_intent_bills_intent_fkey foreign key (company_id, intent_id)
    references public.payment_intents (company_id, id) on delete cascade,
  constraint payment_intent_bills_bill_fkey foreign key (company_id, bill_id)
    references public.bills (company_id, id) on delete restrict
);
comment on table public.payment_intent_bills is
  'Bills in a checkout with the amounts quoted. active = the intent still locks the bill (pending/processing).';
comment on column public.payment_intent_bills.active is 'The lock: at most one active row per bill (unique partial index).';
-- THE lock against paying a bill twice at once: one open checkout per bill.
create unique index payment_intent_bills_one_open_key on public.payment_intent_bills (bill_id) where active;
create index payment_intent_bills_bill_idx on public.payment_intent_bills (company_id, bill_id);
create index payment_intent_bills_intent_idx on public.payment_intent_bills (company_id, intent_id);

create table public.payments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  receipt_no text not null,
  payer_user_id uuid references public.profiles (id) on delete set null,
  payer_name text not null check (char_length(payer_name) between 1 and 64),
  method public.payment_method not null,
  provider public.payment_provider not null,
  status public.payment_status not null,
  amount_fen bigint not null check (amount_fen > 0),
  paid_at timestamptz not null default now(),
  intent_id uuid,
  provider_payment_id text,
  recorded_by uuid,
  note text check (char_length(note) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint payments_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint payments_intent_fkey foreign key (company_id, intent_id)
    references public.payment_intents (company_id, id) on delete restrict,
  constraint payments_company_id_id_key unique (company_id, id),
  constraint payments_receipt_no_key unique (company_id, receipt_no),
  constraint payments_offline_check check ((provider = 'offline') = (method in ('cash', 'transfer')))
);
comment on table public.payments is
  'Money received (实收), with its receipt number (电子缴费凭证). Online payments are created only by the webhook; offline ones by front-desk staff.';
comment on column public.payments.receipt_no is 'Receipt number, per company: R + year + 8-digit sequence.';
comment on column public.payments.payer_name is 'Name printed on the receipt (occupancy/profile name, or as entered at the front desk).';
comment on column public.payments.provider_payment_id is 'Stripe PaymentIntent id (pi_…) — what refunds are made against.';
comment on column public.payments.recorded_by is 'Front-desk staff who took an offline payment.';
-- One payment per checkout, whatever the number of webhook deliveries.
create unique index payments_one_per_intent_key on public.payments (intent_id) where intent_id is not null;
create index payments_payer_idx on public.payments (payer_user_id, paid_at desc);
create index payments_community_idx on public.payments (company_id, community_id, paid_at desc);
create index payments_intent_idx on public.payments (company_id, intent_id);

alter table public.bills
  add constraint bills_payment_fkey foreign key (company_id, payment_id) references public.payments (company_id, id);
alter table public.payment_intents
  add constraint payment_intents_payment_fkey foreign key (company_id, payment_id) references public.payments (company_id, id);

create table public.payment_bills (
  payment_id uuid not null,
  bill_id uuid not null,
  company_id uuid not null,
  amount_fen bigint not null check (amount_fen >= 0),
  late_fee_fen bigint not null default 0 check (late_fee_fen >= 0),
  primary key (payment_id, bill_id),
  constraint payment_bills_payment_fkey foreign key (company_id, payment_id)
    references public.payments (company_id, id) on delete cascade,
  constraint payment_bills_bill_fkey foreign key (company_id, bill_id)
    references public.bills (company_id, id) on delete restrict
);
comment on table public.payment_bills is 'What a payment paid: bills with their amount and late fee (the receipt''s items).';
create index payment_bills_bill_idx on public.payment_bills (company_id, bill_id);
create index payment_bills_payment_idx on public.payment_bills (company_id, payment_id);

create table public.refunds (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  payment_id uuid not null,
  amount_fen bigint not null check (amount_fen > 0),
  reason text not null check (char_length(btrim(reason)) between 1 and 500),
  status public.refund_status not null default 'pending',
  provider_refund_id text unique,
  requested_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint refunds_payment_fkey foreign key (company_id, payment_id)
    references public.payments (company_id, id) on delete restrict,
  constraint refunds_company_id_id_key unique (company_id, id)
);
comment on table public.refunds is
  'Refund (退款) of a whole payment with a reason. Online refunds are pending until the provider confirms by webhook; the refund id is the Stripe idempotency key.';
comment on column public.refunds.requested_by is 'Staff who asked for it; null for automatic refunds of duplicate payments.';
-- A payment is refunded at most once.
create unique index refunds_one_per_payment_key on public.refunds (payment_id) where status <> 'failed';
create index refunds_community_idx on public.refunds (company_id, community_id, created_at desc);
create index refunds_payment_idx on public.refunds (company_id, payment_id);

create table billing.receipt_counters (
  company_id uuid not null references public.companies (id) on delete cascade,
  year smallint not null,
  last_value bigint not null default 0,
  primary key (company_id, year)
);
comment on table billing.receipt_counters is 'Gap-free receipt number sequence per company and year (row-locked while a payment is recorded).';

-- -------------------------------------------------------------------------------------
-- Server-only ledgers
-- -------------------------------------------------------------------------------------
create table billing.payment_events (
  provider public.payment_provider not null,
  event_id text not null,
  type text not null,
  intent_id uuid,
  outcome text not null,
  event_created timestamptz,
  received_at timestamptz not null default now(),
  primary key (provider, event_id)
);
comment on table billing.payment_events is
  'Every provider webhook event applied, recorded in the same transaction as its effect: a redelivered event id changes nothing.';
comment on column billing.payment_events.outcome is 'What applying it did: settled, processing, failed, expired, refund_succeeded, duplicate_payment, ignored:<why>.';
create index payment_events_intent_idx on billing.payment_events (intent_id);

create table billing.bill_reminders (
  bill_id uuid not null references public.bills (id) on delete cascade,
  offset_days smallint not null,
  company_id uuid not null,
  sent_at timestamptz not null default now(),
  recipients integer not null default 0,
  primary key (bill_id, offset_days)
);
comment on table billing.bill_reminders is
  'Reminders sent: once per bill and offset (days before the due date; 0 = due today; -1 = overdue).';
create index bill_reminders_company_idx on billing.bill_reminders (company_id, sent_at desc);

-- -------------------------------------------------------------------------------------
-- Triggers: tenant keys, timestamps, immutability, state machines, audit
-- -------------------------------------------------------------------------------------
-- Bills reference fee items and rule versions without foreign keys (see bills.rule_version_id):
-- this trigger refuses deleting one that priced a bill, as ON DELETE RESTRICT would.
create or replace function billing.guard_billed_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (tg_table_name = 'fee_items' and exists (
        select 1 from public.bills b where b.company_id = old.company_id and b.fee_item_id = old.id))
    or (tg_table_name = 'fee_rule_versions' and exists (
        select 1 from public.bills b where b.rule_version_id = old.id)) then
    raise exception using errcode = '23503', message = 'billing.billed',
      detail = format('%s %s priced bills and cannot be deleted', tg_table_name, old.id);
  end if;
  return old;
end
$$;
comment on function billing.guard_billed_delete() is 'BEFORE DELETE on fee_items and fee_rule_versions: refuses deleting what priced a bill.';
revoke all on function billing.guard_billed_delete() from public, anon, authenticated;

create trigger fee_items_guard_billed before delete on public.fee_items
  for each row execute function billing.guard_billed_delete();
create trigger fee_rule_versions_guard_billed before delete on public.fee_rule_versions
  for each row execute function billing.guard_billed_delete();

create trigger fee_items_touch_updated_at before update on public.fee_items
  for each row execute function private.touch_updated_at();
create trigger fee_items_guard_immutable before update on public.fee_items
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id');
create trigger fee_items_audit after insert or update or delete on public.fee_items
  for each row execute function audit.capture_change('company_id');

create trigger fee_rule_versions_guard_immutable before update on public.fee_rule_versions
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'fee_item_id', 'effective_from', 'rule');
create trigger fee_rule_versions_audit after insert or update or delete on public.fee_rule_versions
  for each row execute function audit.capture_change('company_id');

create trigger billing_settings_touch_updated_at before update on public.billing_settings
  for each row execute function private.touch_updated_at();
create trigger billing_settings_audit after insert or update or delete on public.billing_settings
  for each row execute function audit.capture_change('company_id');

create trigger meters_touch_updated_at before update on public.meters
  for each row execute function private.touch_updated_at();
create trigger meters_guard_immutable before update on public.meters
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'unit_id', 'fee_item_id');
create trigger meters_audit after insert or update or delete on public.meters
  for each row execute function audit.capture_change('company_id');
create trigger meter_readings_audit after update or delete on public.meter_readings
  for each row execute function audit.capture_change('company_id');

create trigger bill_runs_audit after insert or update or delete on public.bill_runs
  for each row execute function audit.capture_change('company_id');

create trigger bills_touch_updated_at before update on public.bills
  for each row execute function private.touch_updated_at();
create trigger bills_guard_immutable before update on public.bills
  for each row execute function private.guard_immutable_columns(
    'id', 'company_id', 'community_id', 'building_id', 'unit_id', 'fee_item_id', 'period_start', 'period_end',
    'rule_version_id', 'quantity', 'unit_price_e4', 'charge_fen', 'detail');
create trigger bills_status_transition before update of status on public.bills
  for each row execute function private.enforce_state_transition('bill', 'status');
-- Bills made by a run are recorded by the run's own audit entry; every later change is audited.
create trigger bills_audit after update or delete on public.bills
  for each row execute function audit.capture_change('company_id');
create trigger bill_lines_audit after insert or update or delete on public.bill_lines
  for each row execute function audit.capture_change('company_id');

create trigger payment_intents_touch_updated_at before update on public.payment_intents
  for each row execute function private.touch_updated_at();
create trigger payment_intents_status_transition before insert or update of status on public.payment_intents
  for each row execute function private.enforce_state_transition('payment_intent', 'status');

create trigger payments_touch_updated_at before update on public.payments
  for each row execute function private.touch_updated_at();
create trigger payments_guard_immutable before update on public.payments
  for each row execute function private.guard_immutable_columns(
    'id', 'company_id', 'community_id', 'receipt_no', 'amount_fen', 'method', 'provider', 'intent_id');
create trigger payments_status_transition before insert or update of status on public.payments
  for each row execute function private.enforce_state_transition('payment', 'status');
create trigger payments_audit after insert or update or delete on public.payments
  for each row execute function audit.capture_change('company_id');

create trigger refunds_touch_updated_at before update on public.refunds
  for each row execute function private.touch_updated_at();
create trigger refunds_status_transition before insert or update of status on public.refunds
  for each row execute function private.enforce_state_transition('refund', 'status');
create trigger refunds_audit after insert or update or delete on public.refunds
  for each row execute function audit.capture_change('company_id');

alter table public.fee_items enable row level security;
alter table public.fee_rule_versions enable row level security;
alter table public.billing_settings enable row level security;
alter table public.meters enable row level security;
alter table public.meter_readings enable row level security;
alter table public.bill_runs enable row level security;
alter table public.bills enable row level security;
alter table public.bill_lines enable row level security;
alter table public.payment_intents enable row level security;
alter table public.payment_intent_bills enable row level security;
alter table public.payments enable row level security;
alter table public.payment_bills enable row level security;
alter table public.refunds enable row level security;
alter table billing.receipt_counters enable row level security;
alter table billing.payment_events enable row level security;
alter table billing.bill_reminders enable row level security;
revoke all on public.fee_items, public.fee_rule_versions, public.billing_settings, public.meters,
  public.meter_readings, public.bill_runs, public.bills, public.bill_lines, public.payment_intents,
  public.payment_intent_bills, public.payments, public.payment_bills, public.refunds
  from public, anon, authenticated;
revoke all on billing.receipt_counters, billing.payment_events, billing.bill_reminders from public, anon, authenticated;
revoke all on function billing.rule_is_valid(jsonb) from public, anon;
grant execute on function billing.rule_is_valid(jsonb) to authenticated, service_role;
revoke all on function billing.check_meter_reading() from public, anon, authenticated;
