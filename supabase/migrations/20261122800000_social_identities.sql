-- =====================================================================================
-- WeChat and QQ sign-in (issue #3 part 5): which account a WeChat or QQ user belongs to
--
-- Supabase Auth has no WeChat or QQ provider, so the Edge Function `social-login` does the
-- OAuth exchange itself and records the result here (docs/auth.md "WeChat and QQ",
-- docs/decisions/0008-wechat-qq-login.md). This table is the source of truth for the
-- mapping; the function mirrors the ids into the user's `app_metadata.social` (server-
-- controlled, in every access token) and never into `user_metadata` (the user can edit it).
--
-- Identities are personal, not tenant-owned (like profiles): no company_id. A person sees
-- their own rows (the "linked accounts" page); only the function, as service_role, writes.
-- =====================================================================================

create type public.social_provider as enum ('wechat', 'qq');
comment on type public.social_provider is
  'Third-party sign-in providers handled by the social-login Edge Function: WeChat Open Platform (website QR login) and QQ Connect.';

create table public.social_identities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  provider public.social_provider not null,
  openid text not null check (char_length(openid) between 1 and 128),
  unionid text check (unionid is null or char_length(unionid) between 1 and 128),
  nickname text not null default '' check (char_length(nickname) <= 64),
  avatar_url text check (avatar_url is null or (char_length(avatar_url) <= 1024 and avatar_url ~ '^https?://')),
  linked_at timestamptz not null default now(),
  last_sign_in_at timestamptz,
  -- One WeChat (and one QQ) per account; leading with user_id, it also indexes the foreign key.
  constraint social_identities_user_provider_key unique (user_id, provider),
  -- One account per WeChat/QQ user, whether it is recognised by openid or by unionid.
  constraint social_identities_provider_openid_key unique (provider, openid),
  constraint social_identities_provider_unionid_key unique (provider, unionid)
);
comment on table public.social_identities is
  'WeChat/QQ identities linked to accounts (1 per provider per account). Written only by the social-login Edge Function (service_role); a user reads their own.';
comment on column public.social_identities.user_id is 'The account (auth.users.id) this identity signs in to.';
comment on column public.social_identities.openid is
  'The provider''s user id for our app (WeChat openid for the website app; QQ openid for the QQ Connect app). Differs per app.';
comment on column public.social_identities.unionid is
  'The provider''s user id across all our apps under one developer account (WeChat Open Platform / QQ Connect unionid), when the provider returns it. Preferred for matching.';
comment on column public.social_identities.nickname is 'Nickname as the provider last reported it (shown on the linked-accounts page; not a real name).';
comment on column public.social_identities.avatar_url is 'Avatar URL as the provider last reported it (WeChat headimgurl, QQ figureurl_qq).';
comment on column public.social_identities.linked_at is 'When the identity was linked to the account (first sign-in with phone confirmation, or bind from the profile).';
comment on column public.social_identities.last_sign_in_at is 'Last sign-in through this identity; null until the first sign-in after binding.';

alter table public.social_identities enable row level security;

-- -------------------------------------------------------------------------------------
-- Grants and policies: read own rows; no write policies, so authenticated users cannot
-- insert, update or delete (linking needs the provider's code, which only the function
-- exchanges). service_role bypasses RLS.
-- -------------------------------------------------------------------------------------
revoke all on public.social_identities from public, anon, authenticated;
grant select on public.social_identities to authenticated;
grant select, insert, update, delete on public.social_identities to service_role;

create policy social_identities_select_own on public.social_identities
  for select to authenticated
  using (user_id = (select auth.uid()));
