-- =====================================================================================
-- Profiles (issue #4)
--
-- One row per auth.users row, created by a trigger when the account is created, so every
-- signed-in user has a profile without an extra round trip. A profile is personal, not
-- tenant-owned: the same person can be a resident in one company and staff in another.
-- Who may read it is decided in the RLS migration (self, household, staff with the right
-- permission); only the owner may edit it, and only the editable columns.
-- =====================================================================================

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  full_name text not null default '' check (char_length(full_name) <= 64),
  phone text check (phone ~ '^[1-9][0-9]{6,14}$'),
  avatar_path text check (avatar_path is null or (char_length(avatar_path) <= 512 and avatar_path !~ '(^/|\.\.)')),
  emergency_contact_name text check (char_length(emergency_contact_name) <= 64),
  emergency_contact_phone text check (emergency_contact_phone ~ '^[1-9][0-9]{6,14}$'),
  locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is
  'Personal details of every account (1:1 with auth.users, created by trigger). Not tenant-owned; visibility is decided per viewer by RLS.';
comment on column public.profiles.id is 'Same id as auth.users.id.';
comment on column public.profiles.full_name is 'Display name (姓名) as the person entered it; empty until they do.';
comment on column public.profiles.phone is
  'Mirror of auth.users.phone (digits, country code first, no "+", e.g. 8613800000001), maintained by trigger; not editable here.';
comment on column public.profiles.avatar_path is 'Object path of the avatar inside the Storage bucket "avatars", e.g. <user id>/avatar.webp.';
comment on column public.profiles.emergency_contact_name is 'Emergency contact (紧急联系人) name.';
comment on column public.profiles.emergency_contact_phone is 'Emergency contact phone, digits only with country code.';
comment on column public.profiles.locale is 'UI language: zh-CN (default) or en.';

create index profiles_phone_idx on public.profiles (phone);

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function private.touch_updated_at();
create trigger profiles_guard_immutable
  before update on public.profiles
  for each row execute function private.guard_immutable_columns('id');

alter table public.profiles enable row level security;
revoke all on public.profiles from public, anon, authenticated;

-- -------------------------------------------------------------------------------------
-- Profile creation and phone sync (triggers on auth.users)
-- -------------------------------------------------------------------------------------
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  wanted_locale text := new.raw_user_meta_data ->> 'locale';
begin
  -- user_metadata is user-controlled: it may suggest a display name and a language,
  -- never anything that grants access.
  insert into public.profiles (id, phone, full_name, locale)
  values (
    new.id,
    nullif(new.phone, ''),
    left(btrim(coalesce(new.raw_user_meta_data ->> 'full_name', '')), 64),
    case when wanted_locale in ('zh-CN', 'en') then wanted_locale else 'zh-CN' end
  )
  on conflict (id) do nothing;
  return new;
end
$$;
comment on function private.handle_new_user() is 'AFTER INSERT on auth.users: creates the profile.';

create or replace function private.sync_user_phone()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles set phone = nullif(new.phone, '') where id = new.id;
  return new;
end
$$;
comment on function private.sync_user_phone() is 'AFTER UPDATE OF phone on auth.users: mirrors the verified phone into the profile.';

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();
create trigger on_auth_user_phone_changed
  after update of phone on auth.users
  for each row when (old.phone is distinct from new.phone)
  execute function private.sync_user_phone();

revoke all on function private.handle_new_user() from public, anon, authenticated;
revoke all on function private.sync_user_phone() from public, anon, authenticated;
