-- =====================================================================================
-- Checkout fast path (issue #8, month-end peak: 500 residents starting a checkout at once)
--
-- Measured on the bench database (docs/billing.md, "Benchmark"): starting a checkout cost
-- ~2.4 ms of PostgreSQL time, two thirds of it planning, not executing:
--   * PL/pgSQL re-planned most statements of begin_payment on every call (the plan cache keeps
--     choosing custom plans for `= any ($1)` on an array), although each is a keyed lookup whose
--     plan does not depend on the values;
--   * SQL-language functions are planned on every call before PostgreSQL 18, and
--     bill_amounts_unchecked (twice per checkout), my_open_intents and late_fee_fen (eight times)
--     are SQL functions.
-- With the changes below the same checkout costs ~0.9 ms. Nothing about what a checkout locks,
-- checks or charges changes: the bodies are the same queries.
--
--   1. billing.start_checkout: my_open_intents + begin_payment in one statement (one round trip
--      from the payments function instead of two transactions), with generic plans.
--   2. bill_amounts_unchecked and my_open_intents in PL/pgSQL (plans cached per connection).
--   3. late_fee_fen with a SQL-standard body: bound at creation (no search_path to pin) and
--      inlined into the query that calls it.
--
-- Billing functions redefined here after 2026112240xxxx: bill_amounts_unchecked, my_open_intents,
-- late_fee_fen. A later change to one of them belongs in a migration after this one.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Amounts and open checkouts: same queries, cached plans
-- -------------------------------------------------------------------------------------
create or replace function billing.late_fee_fen(p_principal_fen bigint, p_due_date date, p_as_of date, p_rule jsonb)
returns bigint
language sql
immutable
-- Days late beyond the grace days, at dailyRateBp/10,000 of the principal a day, capped at
-- capBp/10,000 of the principal; exact, then rounded half-up to the fen.
return case
    when p_rule -> 'lateFee' is null or jsonb_typeof(p_rule -> 'lateFee') = 'null' then 0
    when p_as_of - p_due_date - (p_rule -> 'lateFee' ->> 'graceDays')::int <= 0 then 0
    else least(
      round(p_principal_fen::numeric * (p_rule -> 'lateFee' ->> 'dailyRateBp')::numeric
        * (p_as_of - p_due_date - (p_rule -> 'lateFee' ->> 'graceDays')::int) / 10000),
      round(p_principal_fen::numeric * (p_rule -> 'lateFee' ->> 'capBp')::numeric / 10000)
    )::bigint
  end;
comment on function billing.late_fee_fen(bigint, date, date, jsonb) is
  '滞纳金 of a principal on a day: (days past due − grace days) × dailyRateBp/10,000 × principal, capped at capBp/10,000 × principal, rounded half-up to the fen. Mirrors lateFeeFen() in app/modules/billing/rules. SQL-standard body: names bound at creation, inlined by the planner.';

create or replace function billing.bill_amounts_unchecked(p_bill_ids uuid[], p_as_of date default null)
returns table (bill_id uuid, amount_fen bigint, late_fee_fen bigint, total_fen bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_as_of date := coalesce(p_as_of, billing.today());
begin
  return query
  select b.id, b.amount_fen, lf.fee, b.amount_fen + lf.fee
  from public.bills b
  cross join lateral (
    select case when b.status = 'unpaid' then coalesce((
      select billing.late_fee_fen(b.amount_fen, b.due_date, v_as_of, v.rule)
      from public.fee_rule_versions v where v.id = b.rule_version_id
    ), 0) else b.late_fee_fen end as fee
    offset 0 -- computed once per bill (pulled up, the fee would be computed for each use)
  ) lf
  where b.id = any (p_bill_ids);
end
$$;
comment on function billing.bill_amounts_unchecked(uuid[], date) is
  'Internal: amount due of bills with the late fee as of a day (default today); callers have checked access.';

create or replace function billing.my_open_intents(p_bill_ids uuid[])
returns table (intent_id uuid, status public.intent_status, checkout_session_id text, checkout_url text,
  expires_at timestamptz, bill_ids uuid[], provider public.payment_provider)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select i.id, i.status, i.checkout_session_id, i.checkout_url, i.expires_at,
    (select array_agg(ib2.bill_id order by ib2.bill_id) from public.payment_intent_bills ib2 where ib2.intent_id = i.id),
    i.provider
  from public.payment_intents i
  where i.user_id = (select auth.uid())
    and i.status in ('pending', 'processing')
    and exists (
      select 1 from public.payment_intent_bills ib where ib.intent_id = i.id and ib.active and ib.bill_id = any (p_bill_ids)
    );
end
$$;
comment on function billing.my_open_intents(uuid[]) is 'The caller''s open checkouts that hold any of these bills (to reuse or to expire before starting another).';

-- -------------------------------------------------------------------------------------
-- One statement to start a checkout
-- -------------------------------------------------------------------------------------
-- SECURITY INVOKER on purpose: it adds no privilege of its own. It runs as the signed-in
-- resident and calls the two functions the resident may already call, with their checks
-- (bills.pay on every bill's unit, row locks in id order, billing.bill_locked, amounts
-- recomputed with today's late fee).
--
-- plan_cache_mode = force_generic_plan holds for everything called inside (begin_payment and
-- the functions it calls): their statements look rows up by id, bill id or user id, so the
-- generic plan is the plan a custom one would be, without planning again on every call.
create or replace function billing.start_checkout(
  p_bill_ids uuid[],
  p_provider public.payment_provider,
  p_methods text[],
  p_ttl interval
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_open jsonb;
  v_begun jsonb;
begin
  -- The caller's own open checkouts on any of these bills: the payments function reuses one
  -- for the same bills, or expires it at the provider and cancels it before starting anew.
  select jsonb_agg(jsonb_build_object(
      'intent_id', o.intent_id, 'status', o.status, 'checkout_session_id', o.checkout_session_id,
      'checkout_url', o.checkout_url, 'expires_at', o.expires_at, 'bill_ids', o.bill_ids))
  into v_open
  from billing.my_open_intents(p_bill_ids) o;
  if v_open is not null then
    return jsonb_build_object('open', v_open);
  end if;

  select jsonb_build_object(
      'intent_id', b.intent_id, 'amount_fen', b.amount_fen, 'expires_at', b.expires_at, 'items', b.items)
  into v_begun
  from billing.begin_payment(p_bill_ids, p_provider, p_methods, p_ttl) b;
  return jsonb_build_object('begun', v_begun);
end
$$;
comment on function billing.start_checkout(uuid[], public.payment_provider, text[], interval) is
  'The resident starts a checkout in one statement: {"open": [...]} with the caller''s open checkouts on these bills (nothing begun), else {"begun": {intent_id, amount_fen, expires_at, items}} from billing.begin_payment. Security invoker: the caller''s own rights and the two functions'' checks apply.';

revoke all on function billing.start_checkout(uuid[], public.payment_provider, text[], interval) from public, anon;
grant execute on function billing.start_checkout(uuid[], public.payment_provider, text[], interval) to authenticated;
