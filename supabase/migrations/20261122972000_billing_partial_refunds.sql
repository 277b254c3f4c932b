-- =====================================================================================
-- Billing (issue #8): partial refunds
--
-- Until now a refund returned a whole payment (refunds_one_per_payment_key). Staff with
-- payment.refund may now return part of it, with a reason: one bill of several paid in one
-- checkout, or part of one bill, in as many refunds as needed — never more than was paid.
--
--   refund_bills               what each refund returns per bill of the payment
--   payments.refund_fen        refunds pending or succeeded against the payment  ≤ amount_fen
--   payment_bills.refund_fen   the same per bill                          ≤ amount + late fee
--   refunds.voucher_no         退款凭证号 T<year><8 digits>, gap-free per company, on success
--
-- The ceilings are check constraints on counters kept by triggers on refunds and
-- refund_bills, so no path (staff, webhook, a future job) can refund more than was paid;
-- billing.request_refund row-locks the payment first, so concurrent requests queue and the
-- second one sees what the first reserved (a pending online refund counts until it fails).
-- A succeeded refund turns the payment partially_refunded or refunded, and each bill it
-- touched partially_refunded or refunded. Reports count collections net of refunds.
-- =====================================================================================

insert into private.state_transitions (machine, from_state, to_state) values
  ('bill', 'paid', 'partially_refunded'),
  ('bill', 'partially_refunded', 'refunded'),
  ('payment', 'succeeded', 'partially_refunded'),
  ('payment', 'partially_refunded', 'refunded');

-- -------------------------------------------------------------------------------------
-- Schema
-- -------------------------------------------------------------------------------------
drop index public.refunds_one_per_payment_key;
comment on table public.refunds is
  'Refund (退款) of a payment or part of it, with a reason; refund_bills says which bills it returns. Online refunds are pending until the provider confirms (its answer or webhook); the refund id is the Stripe idempotency key.';

alter table public.refunds add column voucher_no text;
alter table public.refunds add constraint refunds_voucher_no_key unique (company_id, voucher_no);
comment on column public.refunds.voucher_no is '退款凭证号: T + year + 8-digit sequence per company, given when the refund succeeds.';

alter table public.payments add column refund_fen bigint not null default 0;
comment on column public.payments.refund_fen is
  'Refunds pending or succeeded against this payment (kept by triggers on refunds). Never more than amount_fen.';
alter table public.payment_bills add column refund_fen bigint not null default 0;
comment on column public.payment_bills.refund_fen is
  'Refunds pending or succeeded against this bill of the payment (kept by triggers on refund_bills). Never more than amount + late fee.';

create table public.refund_bills (
  refund_id uuid not null,
  bill_id uuid not null,
  payment_id uuid not null,
  company_id uuid not null,
  amount_fen bigint not null check (amount_fen > 0),
  primary key (refund_id, bill_id),
  constraint refund_bills_refund_fkey foreign key (company_id, refund_id)
    references public.refunds (company_id, id) on delete cascade,
  -- Only a bill this payment paid can be refunded from it.
  constraint refund_bills_payment_bill_fkey foreign key (payment_id, bill_id)
    references public.payment_bills (payment_id, bill_id) on delete restrict
);
comment on table public.refund_bills is
  'What a refund returns per bill of its payment (amount, late fee included). A duplicate payment''s refund has none: it paid no bill.';
comment on column public.refund_bills.amount_fen is 'Fen returned for this bill (part or all of what the payment paid for it, late fee included).';
create index refund_bills_refund_idx on public.refund_bills (company_id, refund_id);
create index refund_bills_payment_bill_idx on public.refund_bills (payment_id, bill_id);

-- Backfill: refunds made before this migration returned whole payments.
insert into public.refund_bills (refund_id, bill_id, payment_id, company_id, amount_fen)
select r.id, pb.bill_id, pb.payment_id, pb.company_id, pb.amount_fen + pb.late_fee_fen
from public.refunds r
join public.payment_bills pb on pb.payment_id = r.payment_id
where r.status <> 'failed' and pb.amount_fen + pb.late_fee_fen > 0;
update public.payments p set refund_fen = x.fen
from (select r.payment_id, sum(r.amount_fen) as fen from public.refunds r where r.status <> 'failed' group by 1) x
where p.id = x.payment_id;
update public.payment_bills pb set refund_fen = x.fen
from (
  select rb.payment_id, rb.bill_id, sum(rb.amount_fen) as fen
  from public.refund_bills rb join public.refunds r on r.id = rb.refund_id
  where r.status <> 'failed' group by 1, 2
) x
where pb.payment_id = x.payment_id and pb.bill_id = x.bill_id;

-- THE ceilings: never more refunded (or in flight) than was paid.
alter table public.payments
  add constraint payments_refund_within_amount check (refund_fen between 0 and amount_fen);
alter table public.payment_bills
  add constraint payment_bills_refund_within_paid check (refund_fen between 0 and amount_fen + late_fee_fen);

create or replace function billing.track_refund_amounts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'refunds' then
    if tg_op = 'INSERT' and new.status <> 'failed' then
      update public.payments set refund_fen = refund_fen + new.amount_fen where id = new.payment_id;
    elsif tg_op = 'UPDATE' and old.status <> 'failed' and new.status = 'failed' then
      -- A failed refund returns nothing: its reservation is released.
      update public.payments set refund_fen = refund_fen - old.amount_fen where id = new.payment_id;
      update public.payment_bills pb set refund_fen = pb.refund_fen - rb.amount_fen
      from public.refund_bills rb
      where rb.company_id = new.company_id and rb.refund_id = new.id
        and pb.payment_id = rb.payment_id and pb.bill_id = rb.bill_id;
    end if;
  elsif tg_op = 'INSERT' then
    update public.payment_bills set refund_fen = refund_fen + new.amount_fen
    where payment_id = new.payment_id and bill_id = new.bill_id;
  end if;
  return null;
end
$$;
comment on function billing.track_refund_amounts() is
  'AFTER INSERT/UPDATE on refunds and INSERT on refund_bills: keeps payments.refund_fen and payment_bills.refund_fen, whose check constraints refuse refunding more than was paid.';
revoke all on function billing.track_refund_amounts() from public, anon, authenticated;

create trigger refunds_track_amounts after insert or update of status on public.refunds
  for each row execute function billing.track_refund_amounts();
create trigger refund_bills_track_amounts after insert on public.refund_bills
  for each row execute function billing.track_refund_amounts();
create trigger refund_bills_audit after insert or update or delete on public.refund_bills
  for each row execute function audit.capture_change('company_id');

alter table public.refund_bills enable row level security;
revoke all on public.refund_bills from public, anon, authenticated;
grant select, insert, update, delete on public.refund_bills to service_role;
grant select on public.refund_bills to authenticated;
-- Whoever may read the refund reads its lines (written only by billing.request_refund).
create policy refund_bills_select on public.refund_bills
  for select to authenticated
  using (refund_id in (select r.id from public.refunds r));

create table billing.refund_counters (
  company_id uuid not null references public.companies (id) on delete cascade,
  year smallint not null,
  last_value bigint not null default 0,
  primary key (company_id, year)
);
comment on table billing.refund_counters is 'Gap-free refund voucher number sequence per company and year (row-locked while a refund succeeds).';
alter table billing.refund_counters enable row level security;
revoke all on billing.refund_counters from public, anon, authenticated;
grant select, insert, update, delete on billing.refund_counters to service_role;

create or replace function billing.next_refund_voucher_no(p_company_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_year smallint := extract(year from billing.today())::smallint;
  v_value bigint;
begin
  insert into billing.refund_counters (company_id, year, last_value) values (p_company_id, v_year, 1)
  on conflict (company_id, year) do update set last_value = billing.refund_counters.last_value + 1
  returning last_value into v_value;
  return 'T' || v_year || lpad(v_value::text, 8, '0');
end
$$;
comment on function billing.next_refund_voucher_no(uuid) is 'Next refund voucher number of the company: T<year><8-digit sequence>.';

-- -------------------------------------------------------------------------------------
-- Completing a refund (billing.complete_refund of 20261122402000, for partial refunds)
-- -------------------------------------------------------------------------------------
create or replace function billing.complete_refund(p_refund_id uuid, p_status text, p_provider_refund_id text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.refunds;
  p public.payments;
  v_refunded bigint;
begin
  select * into r from public.refunds where id = p_refund_id for update;
  if not found then
    return 'ignored:unknown_refund';
  end if;
  if r.status <> 'pending' then
    return 'ignored:' || r.status;
  end if;
  if p_status = 'succeeded' then
    select * into p from public.payments where id = r.payment_id for update;
    update public.refunds
    set status = 'succeeded', provider_refund_id = coalesce(p_provider_refund_id, provider_refund_id),
      voucher_no = billing.next_refund_voucher_no(r.company_id)
    where id = r.id;
    -- The payment is refunded once every fen of it is back, partially refunded before.
    select coalesce(sum(x.amount_fen), 0) into v_refunded
    from public.refunds x where x.company_id = p.company_id and x.payment_id = p.id and x.status = 'succeeded';
    update public.payments
    set status = case when v_refunded >= p.amount_fen then 'refunded' else 'partially_refunded' end::public.payment_status
    where id = p.id;
    -- Each bill this refund touched, by what its payment paid for it and what came back.
    update public.bills b
    set status = case when s.refunded >= s.paid then 'refunded' else 'partially_refunded' end::public.bill_status
    from (
      select pb.bill_id, pb.amount_fen + pb.late_fee_fen as paid, sum(rb.amount_fen) as refunded
      from public.payment_bills pb
      join public.refund_bills rb on rb.payment_id = pb.payment_id and rb.bill_id = pb.bill_id
      join public.refunds x on x.id = rb.refund_id and x.status = 'succeeded'
      where pb.payment_id = p.id
        and pb.bill_id in (select rb2.bill_id from public.refund_bills rb2 where rb2.company_id = r.company_id and rb2.refund_id = r.id)
      group by pb.bill_id, pb.amount_fen, pb.late_fee_fen
    ) s
    where b.id = s.bill_id and b.payment_id = p.id and b.status in ('paid', 'partially_refunded');
    if p.payer_user_id is not null then
      perform billing.notify('billing.refunded:' || r.id, p.company_id, p.community_id, array[p.payer_user_id],
        '退款成功', '缴费凭证 ' || p.receipt_no || ' 的 ' || billing.yuan(r.amount_fen) || ' 已退回原支付账户。',
        '/bills/payments/' || p.id,
        jsonb_build_object('paymentId', p.id, 'receiptNo', p.receipt_no, 'amountFen', r.amount_fen));
    end if;
    return 'refund_succeeded';
  elsif p_status in ('failed', 'canceled') then
    update public.refunds set status = 'failed', provider_refund_id = coalesce(p_provider_refund_id, provider_refund_id) where id = r.id;
    return 'refund_failed';
  end if;
  update public.refunds set provider_refund_id = coalesce(p_provider_refund_id, provider_refund_id) where id = r.id;
  return 'refund_pending';
end
$$;
comment on function billing.complete_refund(uuid, text, text) is
  'Internal: moves a pending refund to succeeded (voucher number; the payment and the bills it touched become partially_refunded or refunded) or failed (its reservation is released), from the provider''s refund status. Idempotent.';

-- -------------------------------------------------------------------------------------
-- Requesting a refund: the whole rest, or amounts per bill
-- -------------------------------------------------------------------------------------
drop function billing.request_refund(uuid, text);
create or replace function billing.request_refund(
  p_payment_id uuid,
  p_reason text,
  p_items jsonb default null,
  p_refund_id uuid default null
)
returns table (refund_id uuid, status public.refund_status, provider public.payment_provider,
  provider_payment_id text, amount_fen bigint, voucher_no text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  p public.payments;
  v_existing public.refunds;
  v_id uuid;
  v_total bigint;
begin
  -- The payment's row lock: refunds of one payment queue here, each sees what the others reserved.
  select * into p from public.payments x where x.id = p_payment_id for update;
  if not found or not billing.can(p.company_id, 'payment.refund', p.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if char_length(btrim(coalesce(p_reason, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.reason_required';
  end if;
  -- The same request again (a double submit, a retry): the refund it made, nothing more.
  if p_refund_id is not null then
    select * into v_existing from public.refunds x where x.id = p_refund_id;
    if found then
      if v_existing.payment_id <> p.id then
        raise exception using errcode = '23505', message = 'billing.duplicate';
      end if;
      return query
      select x.id, x.status, p.provider, p.provider_payment_id, x.amount_fen, x.voucher_no
      from public.refunds x where x.id = p_refund_id;
      return;
    end if;
  end if;
  if p.status not in ('succeeded', 'partially_refunded') then
    raise exception using errcode = 'P0001', message = 'billing.payment_not_refundable';
  end if;

  create temporary table if not exists billing_refund_items (bill_id uuid, amount_fen bigint) on commit drop;
  delete from billing_refund_items;
  if p_items is null or jsonb_typeof(p_items) = 'null' then
    -- Everything that is left of every bill of the payment.
    insert into billing_refund_items (bill_id, amount_fen)
    select pb.bill_id, pb.amount_fen + pb.late_fee_fen - pb.refund_fen
    from public.payment_bills pb
    where pb.payment_id = p.id and pb.amount_fen + pb.late_fee_fen - pb.refund_fen > 0;
  else
    if jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) not between 1 and 200
      or exists (
        select 1 from jsonb_array_elements(p_items) e
        where not case
          when jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'amountFen') <> 'number' then false
          when coalesce(e ->> 'billId', '') !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then false
          else (e ->> 'amountFen')::numeric > 0 and (e ->> 'amountFen')::numeric = trunc((e ->> 'amountFen')::numeric)
        end
      )
      or (select count(distinct e ->> 'billId') from jsonb_array_elements(p_items) e) <> jsonb_array_length(p_items)
    then
      raise exception using errcode = '22023', message = 'billing.refund_amount_invalid';
    end if;
    insert into billing_refund_items (bill_id, amount_fen)
    select (e ->> 'billId')::uuid, (e ->> 'amountFen')::bigint from jsonb_array_elements(p_items) e;
    if exists (
      select 1 from billing_refund_items i
      left join public.payment_bills pb on pb.payment_id = p.id and pb.bill_id = i.bill_id
      where pb.bill_id is null
    ) then
      raise exception using errcode = '22023', message = 'billing.refund_amount_invalid',
        detail = 'a bill was not paid by this payment';
    end if;
    if exists (
      select 1 from billing_refund_items i
      join public.payment_bills pb on pb.payment_id = p.id and pb.bill_id = i.bill_id
      where i.amount_fen > pb.amount_fen + pb.late_fee_fen - pb.refund_fen
    ) then
      raise exception using errcode = '22023', message = 'billing.refund_exceeds_paid';
    end if;
  end if;

  select coalesce(sum(i.amount_fen), 0) into v_total from billing_refund_items i;
  if v_total <= 0 or p.refund_fen + v_total > p.amount_fen then
    raise exception using errcode = '22023', message = 'billing.refund_exceeds_paid';
  end if;

  insert into public.refunds (id, company_id, community_id, payment_id, amount_fen, reason, requested_by)
  values (coalesce(p_refund_id, gen_random_uuid()), p.company_id, p.community_id, p.id, v_total, btrim(p_reason),
    (select auth.uid()))
  returning id into v_id;
  insert into public.refund_bills (refund_id, bill_id, payment_id, company_id, amount_fen)
  select v_id, i.bill_id, p.id, p.company_id, i.amount_fen from billing_refund_items i;
  if p.provider = 'offline' then
    -- Cash and transfers are paid back at the desk: done when recorded, with a voucher.
    perform billing.complete_refund(v_id, 'succeeded', null);
  end if;
  return query
  select x.id, x.status, p.provider, p.provider_payment_id, x.amount_fen, x.voucher_no
  from public.refunds x where x.id = v_id;
end
$$;
comment on function billing.request_refund(uuid, text, jsonb, uuid) is
  'Staff with payment.refund refund a payment with a reason: p_items [{billId, amountFen}] returns those amounts (late fee included), null the whole rest. Never more than what is left of each bill and of the payment (billing.refund_exceeds_paid). p_refund_id makes a retried request return the same refund. Offline: done at once with a voucher. Online: pending; the refund id is the provider idempotency key and the provider''s answer or webhook completes it.';

-- -------------------------------------------------------------------------------------
-- charge.refunded: the provider's list of the charge's refunds settles ours
-- -------------------------------------------------------------------------------------
create or replace function billing.apply_charge_refunded_event(
  p_provider public.payment_provider,
  p_event_id text,
  p_event_type text,
  p_event_created timestamptz,
  p_refunds jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_outcomes text[] := '{}';
  v_refund jsonb;
  v_ref text;
  v_refund_id uuid;
  v_outcome text;
begin
  insert into billing.payment_events (provider, event_id, type, event_created, outcome)
  values (p_provider, p_event_id, p_event_type, p_event_created, 'pending')
  on conflict do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate_event');
  end if;
  for v_refund in select value from jsonb_array_elements(coalesce(p_refunds, '[]'::jsonb)) loop
    v_ref := v_refund -> 'metadata' ->> 'refund_id';
    v_refund_id := null;
    if v_ref ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      v_refund_id := v_ref::uuid;
    else
      select r.id into v_refund_id from public.refunds r where r.provider_refund_id = v_refund ->> 'id';
    end if;
    if v_refund_id is not null then
      v_outcomes := v_outcomes || billing.complete_refund(v_refund_id, v_refund ->> 'status', v_refund ->> 'id');
    end if;
  end loop;
  v_outcome := case
    when 'refund_succeeded' = any (v_outcomes) then 'refund_succeeded'
    when 'refund_failed' = any (v_outcomes) then 'refund_failed'
    when cardinality(v_outcomes) = 0 then 'ignored:unknown_refund'
    else 'ignored:no_change'
  end;
  update billing.payment_events set outcome = v_outcome where provider = p_provider and event_id = p_event_id;
  return jsonb_build_object('outcome', v_outcome, 'applied', cardinality(v_outcomes));
end
$$;
comment on function billing.apply_charge_refunded_event(public.payment_provider, text, text, timestamptz, jsonb) is
  'Applies a charge.refunded webhook event once: p_refunds is the charge''s refund list as fetched from the provider (metadata.refund_id = our id); each one completes ours (idempotent).';

revoke all on function billing.next_refund_voucher_no(uuid) from public, anon, authenticated;
revoke all on function billing.complete_refund(uuid, text, text) from public, anon, authenticated;
revoke all on function billing.request_refund(uuid, text, jsonb, uuid) from public, anon;
revoke all on function billing.apply_charge_refunded_event(public.payment_provider, text, text, timestamptz, jsonb) from public, anon, authenticated;
grant execute on function billing.request_refund(uuid, text, jsonb, uuid) to authenticated, service_role;
grant execute on function billing.apply_charge_refunded_event(public.payment_provider, text, text, timestamptz, jsonb) to service_role;
