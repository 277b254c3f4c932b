-- =====================================================================================
-- _local_platform.social_sim_*: the LOCAL WeChat/QQ sign-in simulator
-- (platform/src/services/social-sim). Hosted projects talk to open.weixin.qq.com,
-- api.weixin.qq.com and graph.qq.com instead; nothing here exists there.
--
-- Simulated users live in Postgres so that "sign in with WeChat again" finds the same
-- WeChat user after a restart, as a real one would. Codes and access tokens follow the
-- providers' rules (one use, minutes long). Idempotent, like every base file.
-- =====================================================================================

create table if not exists _local_platform.social_sim_users (
  id bigint generated always as identity primary key,
  provider text not null check (provider in ('wechat', 'qq')),
  openid text not null,
  unionid text not null,
  nickname text not null check (char_length(nickname) between 1 and 64),
  created_at timestamptz not null default now(),
  unique (provider, openid),
  unique (provider, unionid)
);
comment on table _local_platform.social_sim_users is
  'Local only: WeChat/QQ users of the sign-in simulator (picked or created on /_dev/wechat and /_dev/qq pages).';
comment on column _local_platform.social_sim_users.openid is 'The user''s id for the simulated app (WeChat: o + 27 characters; QQ: 32 hex digits).';
comment on column _local_platform.social_sim_users.unionid is 'The user''s id across apps of the simulated developer account.';

create table if not exists _local_platform.social_sim_codes (
  code text primary key,
  provider text not null check (provider in ('wechat', 'qq')),
  app_id text not null,
  user_id bigint not null references _local_platform.social_sim_users (id) on delete cascade,
  redirect_uri text not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
comment on table _local_platform.social_sim_codes is
  'Local only: authorization codes the simulator redirected with; valid 10 minutes, exchangeable once (WeChat 40163 / QQ 100020 after that).';
create index if not exists social_sim_codes_user_idx on _local_platform.social_sim_codes (user_id);

create table if not exists _local_platform.social_sim_tokens (
  access_token text primary key,
  provider text not null check (provider in ('wechat', 'qq')),
  app_id text not null,
  user_id bigint not null references _local_platform.social_sim_users (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
comment on table _local_platform.social_sim_tokens is
  'Local only: provider access tokens the simulator issued (WeChat 2 hours, QQ 90 days), for userinfo / me / get_user_info.';
create index if not exists social_sim_tokens_user_idx on _local_platform.social_sim_tokens (user_id);
