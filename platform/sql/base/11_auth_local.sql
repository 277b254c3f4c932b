-- =====================================================================================
-- _local_platform.auth_*: bookkeeping of the LOCAL Auth service only
-- (platform/src/services/auth). Hosted Supabase has none of these tables: there GoTrue
-- keeps its own rate limits and sends messages through SMTP and the Send SMS hook.
--
-- Everything here is a counter or a message log that must survive restarts and be shared
-- by every process that serves /auth/v1 against the same database, so it lives in
-- Postgres rather than in memory. Idempotent, like every base file.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Outbox: every SMS and e-mail the local Auth service "sends". A developer reads it on
-- GET /_dev/outbox; tests read it as JSON (?to=<phone or email>&format=json).
-- -------------------------------------------------------------------------------------
create table if not exists _local_platform.auth_outbox (
  id bigint generated always as identity primary key,
  channel text not null check (channel in ('sms', 'email')),
  recipient text not null,
  subject text,
  body text not null,
  html text,
  otp text,
  created_at timestamptz not null default now()
);
comment on table _local_platform.auth_outbox is
  'Local only: SMS and e-mails the local Auth service would have sent. Read on GET /_dev/outbox.';
comment on column _local_platform.auth_outbox.recipient is
  'Phone in GoTrue form (digits, no +) or lower-case e-mail address.';
comment on column _local_platform.auth_outbox.otp is
  'The one-time code in the message, if any, so tests need not parse the text.';
create index if not exists auth_outbox_recipient_idx on _local_platform.auth_outbox (recipient, id desc);

-- -------------------------------------------------------------------------------------
-- Send frequency: at most one code per recipient per interval (default 60 s).
-- -------------------------------------------------------------------------------------
create table if not exists _local_platform.auth_send_log (
  recipient text primary key,
  channel text not null check (channel in ('sms', 'email')),
  last_sent_at timestamptz not null
);
comment on table _local_platform.auth_send_log is
  'Local only: when the last one-time code went to each phone or e-mail address (over_*_send_rate_limit).';

-- -------------------------------------------------------------------------------------
-- Wrong guesses per one-time code. A new code is a new auth.one_time_tokens row, so the
-- counter starts again with it; when the row goes (used, burnt or replaced), so does this.
-- -------------------------------------------------------------------------------------
create table if not exists _local_platform.auth_otp_failures (
  one_time_token_id uuid primary key references auth.one_time_tokens (id) on delete cascade,
  failures integer not null default 0,
  last_failed_at timestamptz not null default now()
);
comment on table _local_platform.auth_otp_failures is
  'Local only: wrong attempts against one code; at the limit (default 5) the code is deleted ("burnt").';

-- -------------------------------------------------------------------------------------
-- Failed password sign-ins per identifier ("email:<addr>" or "phone:<digits>"), keyed by
-- what was typed rather than by user id, so a lock-out does not reveal whether the
-- account exists.
-- -------------------------------------------------------------------------------------
create table if not exists _local_platform.auth_password_failures (
  identifier text primary key,
  failures integer not null,
  window_started_at timestamptz not null,
  locked_until timestamptz
);
comment on table _local_platform.auth_password_failures is
  'Local only: failed password attempts in the current window and the lock-out they caused.';
