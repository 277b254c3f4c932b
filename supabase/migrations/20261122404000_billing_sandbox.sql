-- =====================================================================================
-- Payments sandbox state (issue #8, local development only)
--
-- The `payments-sandbox` Edge Function is a Stripe-compatible fake used when
-- PAYMENTS_PROVIDER=sandbox (the local default): it answers the Stripe API calls the payments
-- functions make (checkout sessions, refunds), serves a checkout page where the payer succeeds,
-- fails or abandons, and sends webhooks signed exactly like Stripe's. It keeps its objects
-- here. On hosted projects with real Stripe the table stays empty.
-- =====================================================================================

create table billing.sandbox_objects (
  id text primary key,
  kind text not null check (kind in ('checkout.session', 'refund')),
  idempotency_key text unique,
  request jsonb not null default '{}',
  object jsonb not null,
  payment_intent_id text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table billing.sandbox_objects is
  'Objects of the local payments sandbox (Stripe-compatible fake): checkout sessions and refunds as Stripe JSON, with the idempotency key and request that created them (tests assert on them).';
comment on column billing.sandbox_objects.request is 'The decoded form parameters of the creating API request.';
comment on column billing.sandbox_objects.payment_intent_id is 'pi_… of a completed session, to find it when refunding.';
alter table billing.sandbox_objects enable row level security;
revoke all on billing.sandbox_objects from public, anon, authenticated;
grant select, insert, update, delete on billing.sandbox_objects to service_role;
