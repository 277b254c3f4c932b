-- =====================================================================================
-- Payments (issue #8): checkout locks, the webhook state machine, front desk, refunds, reminders
--
-- Money must never be lost or taken twice (docs/decisions/0008-payments.md):
--   * A checkout (payment_intents) is created only by billing.begin_payment, which row-locks
--     the bills, recomputes the amount (with today's late fee) and takes the per-bill lock
--     (payment_intent_bills_one_open_key). A second concurrent checkout for a bill fails with
--     billing.bill_locked.
--   * Only the provider's webhook settles an online payment (billing.apply_checkout_event),
--     in the transaction that records the event id; a redelivered event changes nothing and
--     events in any order converge, because the session as fetched from the provider (not
--     the event's snapshot) decides, and intents only move forward.
--   * Money that arrives for bills already settled is kept as a `duplicate` payment and a
--     refund is opened for it at once, never dropped.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Receipt numbers
-- -------------------------------------------------------------------------------------
create or replace function billing.next_receipt_no(p_company_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_year smallint := extract(year from billing.today())::smallint;
  v_value bigint;
begin
  insert into billing.receipt_counters (company_id, year, last_value) values (p_company_id, v_year, 1)
  on conflict (company_id, year) do update set last_value = billing.receipt_counters.last_value + 1
  returning last_value into v_value;
  return 'R' || v_year || lpad(v_value::text, 8, '0');
end
$$;
comment on function billing.next_receipt_no(uuid) is 'Next receipt number of the company: R<year><8-digit sequence>, gap-free within a committed year.';

create or replace function billing.payer_name(p_user_id uuid, p_unit_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select nullif(btrim(p.full_name), '') from public.profiles p where p.id = p_user_id),
    (select o.name from public.occupancies o
     where o.user_id = p_user_id and o.unit_id = p_unit_id and o.deleted_at is null
     order by o.created_at desc limit 1),
    '住户'
  )
$$;
comment on function billing.payer_name(uuid, uuid) is 'Name printed on a receipt for an online payer: profile name, else the occupancy name, else 住户.';

-- -------------------------------------------------------------------------------------
-- Starting a checkout (as the resident)
-- -------------------------------------------------------------------------------------
create or replace function billing.release_stale_intents(p_bill_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  -- A pending checkout past its expiry (plus 5 minutes for a late webhook) stops locking its
  -- bills. A success that still arrives is settled or refunded by apply_checkout_event.
  with stale as (
    update public.payment_intents i set status = 'expired', failure_reason = 'expired without a webhook'
    where i.status = 'pending' and i.expires_at < now() - interval '5 minutes'
      and i.id in (select ib.intent_id from public.payment_intent_bills ib where ib.bill_id = any (p_bill_ids) and ib.active)
    returning i.id
  )
  update public.payment_intent_bills ib set active = false
  from stale where ib.intent_id = stale.id and ib.active;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function billing.release_stale_intents(uuid[]) is 'Expires pending checkouts on these bills that outlived their session; returns the locks released.';

create or replace function billing.my_open_intents(p_bill_ids uuid[])
returns table (intent_id uuid, status public.intent_status, checkout_session_id text, checkout_url text,
  expires_at timestamptz, bill_ids uuid[], provider public.payment_provider)
language sql
stable
security definer
set search_path = ''
as $$
  select i.id, i.status, i.checkout_session_id, i.checkout_url, i.expires_at,
    (select array_agg(ib2.bill_id order by ib2.bill_id) from public.payment_intent_bills ib2 where ib2.intent_id = i.id),
    i.provider
  from public.payment_intents i
  where i.user_id = (select auth.uid())
    and i.status in ('pending', 'processing')
    and exists (
      select 1 from public.payment_intent_bills ib where ib.intent_id = i.id and ib.active and ib.bill_id = any (p_bill_ids)
    )
$$;
comment on function billing.my_open_intents(uuid[]) is 'The caller''s open checkouts that hold any of these bills (to reuse or to expire before starting another).';

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
    raise exception using errcode = 'P0001', message = 'billing.bill_not_unpaid';
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
  'The resident starts a checkout: checks bills.pay on every bill''s unit, row-locks the bills, refuses paid or already-locked ones (billing.bill_locked), recomputes the amount with today''s late fee and takes the per-bill lock. Returns the intent and its items.';

create or replace function billing.own_intent(p_intent_id uuid)
returns public.payment_intents
language plpgsql
security definer
set search_path = ''
as $$
declare
  i public.payment_intents;
begin
  select * into i from public.payment_intents where id = p_intent_id for update;
  if not found or (i.user_id is distinct from (select auth.uid()) and coalesce(current_setting('role', true), '') <> 'service_role') then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  return i;
end
$$;
comment on function billing.own_intent(uuid) is 'Row-locks a checkout of the caller (or any, for service_role).';

create or replace function billing.attach_checkout(p_intent_id uuid, p_session_id text, p_url text, p_expires_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  i public.payment_intents := billing.own_intent(p_intent_id);
begin
  if i.checkout_session_id is not null and i.checkout_session_id <> p_session_id then
    raise exception using errcode = 'P0001', message = 'billing.checkout_mismatch';
  end if;
  update public.payment_intents
  set checkout_session_id = p_session_id, checkout_url = p_url,
    expires_at = least(greatest(expires_at, coalesce(p_expires_at, expires_at)), now() + interval '24 hours')
  where id = i.id;
end
$$;
comment on function billing.attach_checkout(uuid, text, text, timestamptz) is 'Records the provider''s checkout session (id, URL, expiry) on the caller''s intent.';

create or replace function billing.cancel_intent(p_intent_id uuid, p_reason text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  i public.payment_intents := billing.own_intent(p_intent_id);
begin
  if i.status <> 'pending' then
    return false;
  end if;
  update public.payment_intents set status = 'cancelled', failure_reason = left(p_reason, 500) where id = i.id;
  update public.payment_intent_bills set active = false where intent_id = i.id and active;
  return true;
end
$$;
comment on function billing.cancel_intent(uuid, text) is
  'Cancels the caller''s pending checkout and releases its bills: the provider refused to create it, or its session was expired at the provider before a new one.';

-- -------------------------------------------------------------------------------------
-- Settling (webhook only for online payments)
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
  v_all_unpaid boolean;
  v_refund_id uuid;
  v_receipt text;
begin
  if p_intent.status = 'succeeded' then
    return jsonb_build_object('outcome', 'ignored:already_settled', 'paymentId', p_intent.payment_id);
  end if;
  perform 1 from public.bills b
  where b.id in (select ib.bill_id from public.payment_intent_bills ib where ib.intent_id = p_intent.id)
  order by b.id for update;
  select bool_and(b.status = 'unpaid'), min(b.unit_id::text)::uuid into v_all_unpaid, v_unit_id
  from public.payment_intent_bills ib join public.bills b on b.id = ib.bill_id
  where ib.intent_id = p_intent.id;

  v_receipt := billing.next_receipt_no(p_intent.company_id);
  insert into public.payments (
    company_id, community_id, receipt_no, payer_user_id, payer_name, method, provider, status,
    amount_fen, intent_id, provider_payment_id
  ) values (
    p_intent.company_id, p_intent.community_id, v_receipt, p_intent.user_id,
    billing.payer_name(p_intent.user_id, v_unit_id), p_method, p_intent.provider,
    case when v_all_unpaid and p_amount_fen = p_intent.amount_fen then 'succeeded' else 'duplicate' end::public.payment_status,
    p_amount_fen, p_intent.id, p_provider_payment_id
  )
  returning id into v_payment_id;

  update public.payment_intents set status = 'succeeded', payment_id = v_payment_id where id = p_intent.id;
  update public.payment_intent_bills set active = false where intent_id = p_intent.id and active;

  if v_all_unpaid and p_amount_fen = p_intent.amount_fen then
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
    perform billing.notify('billing.paid:' || v_payment_id, p_intent.company_id, p_intent.community_id,
      array[p_intent.user_id], '缴费成功',
      '已收到 ' || billing.yuan(p_amount_fen) || '，电子缴费凭证号 ' || v_receipt || '。',
      '/bills/payments/' || v_payment_id,
      jsonb_build_object('paymentId', v_payment_id, 'receiptNo', v_receipt, 'amountFen', p_amount_fen));
    return jsonb_build_object('outcome', 'settled', 'paymentId', v_payment_id);
  end if;

  -- The bills were settled meanwhile (another checkout, the front desk) or the amount differs:
  -- keep the money on record and refund it in full.
  insert into public.refunds (company_id, community_id, payment_id, amount_fen, reason, status)
  values (p_intent.company_id, p_intent.community_id, v_payment_id, p_amount_fen,
    case when v_all_unpaid then 'amount differs from the checkout' else 'duplicate payment: bills already settled' end,
    'pending')
  returning id into v_refund_id;
  return jsonb_build_object('outcome', 'duplicate_payment', 'paymentId', v_payment_id,
    'refund', jsonb_build_object('refundId', v_refund_id, 'providerPaymentId', p_provider_payment_id, 'amountFen', p_amount_fen));
end
$$;
comment on function billing.settle_intent(public.payment_intents, public.payment_method, text, bigint) is
  'Internal: turns a paid checkout into a payment. All bills unpaid and the amount as quoted: they become paid (late fee lines fixed). Otherwise the payment is a duplicate and a full refund is opened (returned for the caller to execute).';

create or replace function billing.apply_checkout_event(
  p_provider public.payment_provider,
  p_event_id text,
  p_event_type text,
  p_event_created timestamptz,
  p_session jsonb,
  p_method public.payment_method
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_intent public.payment_intents;
  v_intent_ref text := coalesce(p_session ->> 'client_reference_id', p_session -> 'metadata' ->> 'intent_id');
  v_result jsonb;
  v_paid boolean := coalesce(p_session ->> 'payment_status', '') in ('paid', 'no_payment_required');
begin
  -- The event id first: a redelivery stops here, in the same transaction as the effect.
  insert into billing.payment_events (provider, event_id, type, event_created, outcome)
  values (p_provider, p_event_id, p_event_type, p_event_created, 'pending')
  on conflict do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate_event');
  end if;

  if v_intent_ref ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select * into v_intent from public.payment_intents where id = v_intent_ref::uuid for update;
  end if;
  if v_intent.id is null then
    select * into v_intent from public.payment_intents where checkout_session_id = p_session ->> 'id' for update;
  end if;

  if v_intent.id is null then
    v_result := jsonb_build_object('outcome', 'ignored:unknown_checkout');
  elsif v_intent.provider <> p_provider then
    v_result := jsonb_build_object('outcome', 'ignored:provider_mismatch');
  elsif p_event_type in ('checkout.session.completed', 'checkout.session.async_payment_succeeded') and v_paid then
    -- The session as fetched from the provider says paid: settle (idempotent by intent status).
    v_result := billing.settle_intent(v_intent, p_method, p_session ->> 'payment_intent', (p_session ->> 'amount_total')::bigint);
  elsif p_event_type = 'checkout.session.completed' then
    -- WeChat Pay / Alipay: the payer finished, the money is not confirmed yet.
    if v_intent.status = 'pending' then
      update public.payment_intents set status = 'processing' where id = v_intent.id;
      v_result := jsonb_build_object('outcome', 'processing');
    else
      v_result := jsonb_build_object('outcome', 'ignored:' || v_intent.status);
    end if;
  elsif p_event_type in ('checkout.session.async_payment_failed', 'checkout.session.expired') and v_paid then
    -- An old event delivered late; the session as it is now is paid.
    v_result := billing.settle_intent(v_intent, p_method, p_session ->> 'payment_intent', (p_session ->> 'amount_total')::bigint);
  elsif p_event_type = 'checkout.session.async_payment_failed' then
    if v_intent.status in ('pending', 'processing') then
      update public.payment_intents set status = 'failed', failure_reason = 'payment failed at the provider' where id = v_intent.id;
      update public.payment_intent_bills set active = false where intent_id = v_intent.id and active;
      v_result := jsonb_build_object('outcome', 'failed');
    else
      v_result := jsonb_build_object('outcome', 'ignored:' || v_intent.status);
    end if;
  elsif p_event_type = 'checkout.session.expired' then
    if v_intent.status = 'pending' then
      update public.payment_intents set status = 'expired', failure_reason = 'checkout expired' where id = v_intent.id;
      update public.payment_intent_bills set active = false where intent_id = v_intent.id and active;
      v_result := jsonb_build_object('outcome', 'expired');
    else
      v_result := jsonb_build_object('outcome', 'ignored:' || v_intent.status);
    end if;
  else
    v_result := jsonb_build_object('outcome', 'ignored:event_type');
  end if;

  update billing.payment_events
  set outcome = v_result ->> 'outcome', intent_id = v_intent.id
  where provider = p_provider and event_id = p_event_id;
  return v_result;
end
$$;
comment on function billing.apply_checkout_event(public.payment_provider, text, text, timestamptz, jsonb, public.payment_method) is
  'Applies a checkout.session.* webhook event once (event id recorded in the same transaction). p_session is the session as fetched from the provider when the event was handled, so late or reordered events converge on the current truth.';

-- -------------------------------------------------------------------------------------
-- Refunds
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
begin
  select * into r from public.refunds where id = p_refund_id for update;
  if not found then
    return 'ignored:unknown_refund';
  end if;
  if r.status <> 'pending' then
    return 'ignored:' || r.status;
  end if;
  if p_status = 'succeeded' then
    update public.refunds set status = 'succeeded', provider_refund_id = coalesce(p_provider_refund_id, provider_refund_id) where id = r.id;
    select * into p from public.payments where id = r.payment_id for update;
    update public.payments set status = 'refunded' where id = p.id;
    update public.bills set status = 'refunded' where payment_id = p.id and status = 'paid';
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
  'Internal: moves a pending refund to succeeded (payment and its bills become refunded) or failed, from the provider''s refund status. Idempotent.';

create or replace function billing.apply_refund_event(
  p_provider public.payment_provider,
  p_event_id text,
  p_event_type text,
  p_event_created timestamptz,
  p_refund jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ref text := p_refund -> 'metadata' ->> 'refund_id';
  v_refund_id uuid;
  v_outcome text;
begin
  insert into billing.payment_events (provider, event_id, type, event_created, outcome)
  values (p_provider, p_event_id, p_event_type, p_event_created, 'pending')
  on conflict do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate_event');
  end if;
  if v_ref ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_refund_id := v_ref::uuid;
  else
    select r.id into v_refund_id from public.refunds r where r.provider_refund_id = p_refund ->> 'id';
  end if;
  v_outcome := case when v_refund_id is null then 'ignored:unknown_refund'
    else billing.complete_refund(v_refund_id, p_refund ->> 'status', p_refund ->> 'id') end;
  update billing.payment_events set outcome = v_outcome where provider = p_provider and event_id = p_event_id;
  return jsonb_build_object('outcome', v_outcome, 'refundId', v_refund_id);
end
$$;
comment on function billing.apply_refund_event(public.payment_provider, text, text, timestamptz, jsonb) is
  'Applies a refund.* webhook event (the Refund object, metadata.refund_id = our id) once.';

create or replace function billing.request_refund(p_payment_id uuid, p_reason text)
returns table (refund_id uuid, status public.refund_status, provider public.payment_provider,
  provider_payment_id text, amount_fen bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  p public.payments;
  v_id uuid;
begin
  select * into p from public.payments where id = p_payment_id for update;
  if not found or not billing.can(p.company_id, 'payment.refund', p.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if char_length(btrim(coalesce(p_reason, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.reason_required';
  end if;
  if p.status <> 'succeeded' then
    raise exception using errcode = 'P0001', message = 'billing.payment_not_refundable';
  end if;
  select r.id into v_id from public.refunds r where r.payment_id = p.id and r.status = 'pending';
  if v_id is null then
    insert into public.refunds (company_id, community_id, payment_id, amount_fen, reason, requested_by)
    values (p.company_id, p.community_id, p.id, p.amount_fen, btrim(p_reason), (select auth.uid()))
    returning id into v_id;
  end if;
  if p.provider = 'offline' then
    -- Cash and transfers are paid back at the desk: done when recorded.
    perform billing.complete_refund(v_id, 'succeeded', null);
  end if;
  return query
  select r.id, r.status, p.provider, p.provider_payment_id, r.amount_fen from public.refunds r where r.id = v_id;
end
$$;
comment on function billing.request_refund(uuid, text) is
  'Staff with payment.refund refund a whole payment with a reason. Offline: done at once. Online: a pending refund whose id is the provider idempotency key; the provider''s answer or webhook completes it.';

create or replace function billing.refund_for_provider(p_refund_id uuid)
returns table (refund_id uuid, provider public.payment_provider, provider_payment_id text, amount_fen bigint, status public.refund_status)
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.refunds;
begin
  select * into r from public.refunds where id = p_refund_id;
  if not found or not billing.can(r.company_id, 'payment.refund', r.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  return query
  select r.id, p.provider, p.provider_payment_id, r.amount_fen, r.status from public.payments p where p.id = r.payment_id;
end
$$;
comment on function billing.refund_for_provider(uuid) is 'What the payments function needs to execute a refund at the provider (payment.refund or service_role).';

create or replace function billing.apply_refund_result(p_refund_id uuid, p_status text, p_provider_refund_id text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  r public.refunds;
begin
  select * into r from public.refunds where id = p_refund_id;
  if not found or not billing.can(r.company_id, 'payment.refund', r.community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  return billing.complete_refund(p_refund_id, p_status, p_provider_refund_id);
end
$$;
comment on function billing.apply_refund_result(uuid, text, text) is 'Applies the provider''s answer to a refund request (same effect as its webhook; whichever comes first wins).';

-- -------------------------------------------------------------------------------------
-- Front desk
-- -------------------------------------------------------------------------------------
create or replace function billing.record_offline_payment(
  p_bill_ids uuid[],
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
  v_ids uuid[];
  v_company_id uuid;
  v_community_id uuid;
  v_payment_id uuid;
  v_total bigint;
  v_today date := billing.today();
begin
  select array_agg(distinct x order by x) into v_ids from unnest(p_bill_ids) x;
  if coalesce(cardinality(v_ids), 0) = 0 or cardinality(v_ids) > 200 then
    raise exception using errcode = '22023', message = 'billing.select_bills';
  end if;
  if p_method not in ('cash', 'transfer') then
    raise exception using errcode = '22023', message = 'billing.invalid_method';
  end if;
  if char_length(btrim(coalesce(p_payer_name, ''))) = 0 then
    raise exception using errcode = '22023', message = 'billing.payer_required';
  end if;
  perform billing.release_stale_intents(v_ids);
  perform 1 from public.bills b where b.id = any (v_ids) order by b.id for update;
  if (select count(*) from public.bills b where b.id = any (v_ids)) <> cardinality(v_ids)
    or (select count(distinct b.community_id) from public.bills b where b.id = any (v_ids)) <> 1 then
    raise exception using errcode = '22023', message = 'billing.one_community_per_payment';
  end if;
  select b.company_id, b.community_id into v_company_id, v_community_id from public.bills b where b.id = v_ids[1];
  if not billing.can(v_company_id, 'payment.record', v_community_id) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  if exists (select 1 from public.bills b where b.id = any (v_ids) and b.status <> 'unpaid') then
    raise exception using errcode = 'P0001', message = 'billing.bill_not_unpaid';
  end if;
  if exists (select 1 from public.payment_intent_bills ib where ib.bill_id = any (v_ids) and ib.active) then
    raise exception using errcode = '55P03', message = 'billing.bill_locked';
  end if;

  create temporary table if not exists billing_offline_amounts (bill_id uuid, amount_fen bigint, late_fee_fen bigint) on commit drop;
  delete from billing_offline_amounts;
  insert into billing_offline_amounts select a.bill_id, a.amount_fen, a.late_fee_fen from billing.bill_amounts_unchecked(v_ids, v_today) a;
  select sum(a.amount_fen + a.late_fee_fen) into v_total from billing_offline_amounts a;

  insert into public.payments (
    company_id, community_id, receipt_no, payer_name, method, provider, status, amount_fen, recorded_by, note
  ) values (
    v_company_id, v_community_id, billing.next_receipt_no(v_company_id), btrim(p_payer_name), p_method, 'offline',
    'succeeded', v_total, (select auth.uid()), nullif(btrim(coalesce(p_note, '')), '')
  )
  returning id into v_payment_id;
  insert into public.payment_bills (payment_id, bill_id, company_id, amount_fen, late_fee_fen)
  select v_payment_id, a.bill_id, v_company_id, a.amount_fen, a.late_fee_fen from billing_offline_amounts a;
  insert into public.bill_lines (company_id, community_id, unit_id, bill_id, kind, description, amount_fen, detail)
  select b.company_id, b.community_id, b.unit_id, b.id, 'late_fee', '滞纳金', a.late_fee_fen,
    jsonb_build_object('dueDate', b.due_date, 'paidOn', v_today)
  from billing_offline_amounts a join public.bills b on b.id = a.bill_id
  where a.late_fee_fen > 0;
  update public.bills b
  set status = 'paid', payment_id = v_payment_id, paid_at = now(), late_fee_fen = a.late_fee_fen
  from billing_offline_amounts a where b.id = a.bill_id;
  return v_payment_id;
end
$$;
comment on function billing.record_offline_payment(uuid[], public.payment_method, text, text) is
  'Front desk (payment.record): cash or bank transfer for unpaid bills of one community, with today''s late fee; refuses bills in an open online checkout. Returns the payment (its receipt).';

-- -------------------------------------------------------------------------------------
-- Reminders and dunning
-- -------------------------------------------------------------------------------------
create or replace function billing.send_due_reminders(p_today date default null)
returns table (reminders integer, notifications integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_today date := coalesce(p_today, billing.today());
  v_reminders integer;
  v_notifications integer;
begin
  create temporary table if not exists billing_new_reminders (bill_id uuid, offset_days smallint, company_id uuid, unit_id uuid) on commit drop;
  delete from billing_new_reminders;

  with due as (
    select b.id, b.company_id, b.unit_id,
      case
        when b.due_date < v_today then -1
        when b.due_date = v_today then 0
        else (b.due_date - v_today)
      end::smallint as offset_days
    from public.bills b
    left join public.billing_settings s on s.community_id = b.community_id
    where b.status = 'unpaid'
      and (b.due_date <= v_today or (b.due_date - v_today) = any (coalesce(s.reminder_days, '{7,3}'::smallint[])))
  ),
  inserted as (
    insert into billing.bill_reminders (bill_id, offset_days, company_id)
    select d.id, d.offset_days, d.company_id from due d
    on conflict do nothing
    returning bill_id, offset_days, company_id
  )
  insert into billing_new_reminders
  select i.bill_id, i.offset_days, i.company_id, d.unit_id from inserted i join due d on d.id = i.bill_id;
  get diagnostics v_reminders = row_count;

  -- One message per person and kind of reminder, with how many bills and the total.
  select coalesce(sum(billing.notify(
      'billing.reminder:' || v_today || ':' || x.offset_days || ':' || x.user_id, x.company_id, x.community_id,
      array[x.user_id],
      case when x.offset_days < 0 then '账单已逾期'
           when x.offset_days = 0 then '账单今天到期'
           else '账单将于 ' || x.offset_days || ' 天后到期' end,
      '您有 ' || x.bills || ' 笔待缴账单，合计 ' || billing.yuan(x.amount_fen)
        || case when x.offset_days < 0 then '，已超过缴费期限，请尽快缴纳，以免产生滞纳金。' else '，请及时缴纳。' end,
      '/bills',
      jsonb_build_object('offsetDays', x.offset_days, 'bills', x.bills, 'amountFen', x.amount_fen),
      case when x.offset_days < 0 then 'important' else 'normal' end)), 0)::integer
  into v_notifications
  from (
    select n.company_id, min(b.community_id::text)::uuid as community_id, r.user_id, n.offset_days,
      count(distinct n.bill_id) as bills, sum(b.amount_fen)::bigint as amount_fen
    from billing_new_reminders n
    join public.bills b on b.id = n.bill_id
    join billing.bill_recipients(array(select distinct n2.unit_id from billing_new_reminders n2)) r on r.unit_id = n.unit_id
    group by n.company_id, r.user_id, n.offset_days
  ) x;

  update billing.bill_reminders br set recipients = c.n
  from (
    select n.bill_id, n.offset_days, count(r.user_id)::integer as n
    from billing_new_reminders n
    left join billing.bill_recipients(array(select distinct n2.unit_id from billing_new_reminders n2)) r on r.unit_id = n.unit_id
    group by n.bill_id, n.offset_days
  ) c
  where br.bill_id = c.bill_id and br.offset_days = c.offset_days;

  return query select v_reminders, v_notifications;
end
$$;
comment on function billing.send_due_reminders(date) is
  'Daily job (reminders function): for unpaid bills due in N days (per community, default 7 and 3), due today (0) or overdue (−1), records each bill × offset once and notifies the residents. Service role only.';

create or replace function billing.send_dunning(p_bill_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if exists (
    select 1 from public.bills b
    where b.id = any (p_bill_ids) and not billing.can(b.company_id, 'bill.manage', b.community_id)
  ) then
    raise exception using errcode = '42501', message = 'billing.forbidden';
  end if;
  select coalesce(sum(billing.notify(
      'billing.dunning:' || gen_random_uuid() || ':' || x.user_id, x.company_id, x.community_id, array[x.user_id],
      '缴费提醒', '您有 ' || x.bills || ' 笔账单尚未缴纳，合计 ' || billing.yuan(x.amount_fen) || '，请尽快缴纳。',
      '/bills', jsonb_build_object('bills', x.bills, 'amountFen', x.amount_fen), 'important')), 0)::integer
  into v_count
  from (
    select b.company_id, min(b.community_id::text)::uuid as community_id, r.user_id, count(*) as bills,
      sum(b.amount_fen)::bigint as amount_fen
    from public.bills b
    join billing.bill_recipients(array(select b2.unit_id from public.bills b2 where b2.id = any (p_bill_ids))) r
      on r.unit_id = b.unit_id
    where b.id = any (p_bill_ids) and b.status = 'unpaid'
    group by b.company_id, r.user_id
  ) x;
  return v_count;
end
$$;
comment on function billing.send_dunning(uuid[]) is 'Staff (bill.manage) send a 催缴 reminder for these unpaid bills to their residents; returns the messages sent.';

revoke all on function billing.next_receipt_no(uuid) from public, anon, authenticated;
revoke all on function billing.payer_name(uuid, uuid) from public, anon, authenticated;
revoke all on function billing.release_stale_intents(uuid[]) from public, anon, authenticated;
revoke all on function billing.my_open_intents(uuid[]) from public, anon;
revoke all on function billing.begin_payment(uuid[], public.payment_provider, text[], interval) from public, anon;
revoke all on function billing.own_intent(uuid) from public, anon, authenticated;
revoke all on function billing.attach_checkout(uuid, text, text, timestamptz) from public, anon;
revoke all on function billing.cancel_intent(uuid, text) from public, anon;
revoke all on function billing.settle_intent(public.payment_intents, public.payment_method, text, bigint) from public, anon, authenticated;
revoke all on function billing.apply_checkout_event(public.payment_provider, text, text, timestamptz, jsonb, public.payment_method) from public, anon, authenticated;
revoke all on function billing.complete_refund(uuid, text, text) from public, anon, authenticated;
revoke all on function billing.apply_refund_event(public.payment_provider, text, text, timestamptz, jsonb) from public, anon, authenticated;
revoke all on function billing.request_refund(uuid, text) from public, anon;
revoke all on function billing.refund_for_provider(uuid) from public, anon;
revoke all on function billing.apply_refund_result(uuid, text, text) from public, anon;
revoke all on function billing.record_offline_payment(uuid[], public.payment_method, text, text) from public, anon;
revoke all on function billing.send_due_reminders(date) from public, anon, authenticated;
revoke all on function billing.send_dunning(uuid[]) from public, anon;

grant execute on function billing.my_open_intents(uuid[]) to authenticated, service_role;
grant execute on function billing.begin_payment(uuid[], public.payment_provider, text[], interval) to authenticated;
grant execute on function billing.attach_checkout(uuid, text, text, timestamptz) to authenticated, service_role;
grant execute on function billing.cancel_intent(uuid, text) to authenticated, service_role;
grant execute on function billing.apply_checkout_event(public.payment_provider, text, text, timestamptz, jsonb, public.payment_method) to service_role;
grant execute on function billing.apply_refund_event(public.payment_provider, text, text, timestamptz, jsonb) to service_role;
grant execute on function billing.request_refund(uuid, text) to authenticated, service_role;
grant execute on function billing.refund_for_provider(uuid) to authenticated, service_role;
grant execute on function billing.apply_refund_result(uuid, text, text) to authenticated, service_role;
grant execute on function billing.record_offline_payment(uuid[], public.payment_method, text, text) to authenticated, service_role;
grant execute on function billing.send_due_reminders(date) to service_role;
grant execute on function billing.send_dunning(uuid[]) to authenticated, service_role;
