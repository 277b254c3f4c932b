-- =====================================================================================
-- Property hierarchy (issue #4): companies → communities → buildings → units
--
--   companies   物业公司  the tenant; every tenant-owned row carries company_id
--   communities 小区      a managed residential community
--   buildings   楼栋      a building in a community
--   units       房屋      a dwelling/shop/parking space: 单元 (entrance), floor, number
--
-- Tenant consistency is declarative: each child references its parent together with the
-- parent's company_id (and community_id), through composite foreign keys onto
-- `unique (company_id, …, id)` keys. A building therefore cannot sit in a community of
-- another company, and a unit cannot sit in a building of another community. Tenant keys
-- are immutable (private.guard_immutable_columns), so nothing moves between tenants.
-- Units are soft-deleted (deleted_at): bills, repairs and occupancy history refer to them.
-- Access rules (policies and grants) live in 20261122105000_row_level_security.sql.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Companies (tenants)
-- -------------------------------------------------------------------------------------
create type public.company_status as enum ('active', 'suspended');
comment on type public.company_status is
  'active: normal. suspended: set by the platform (e.g. contract ended); staff permissions stop working, data stays.';

create table public.companies (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 2 and 100),
  short_name text check (char_length(short_name) <= 32),
  credit_code text unique check (credit_code ~ '^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$'),
  contact_name text check (char_length(contact_name) <= 64),
  contact_phone text check (contact_phone ~ '^[1-9][0-9]{6,14}$'),
  address text check (char_length(address) <= 200),
  status public.company_status not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.companies is
  'Property management companies (物业公司): the tenants of the SaaS. Created by the platform; each gets its own copy of the role templates.';
comment on column public.companies.short_name is 'Short name shown in the UI header and on receipts.';
comment on column public.companies.credit_code is 'Unified social credit code (统一社会信用代码), 18 characters.';
comment on column public.companies.status is 'Suspended companies keep their data, but their staff lose every permission.';

create trigger companies_touch_updated_at
  before update on public.companies
  for each row execute function private.touch_updated_at();
create trigger companies_guard_immutable
  before update on public.companies
  for each row execute function private.guard_immutable_columns('id');
create trigger companies_status_transition
  before insert or update of status on public.companies
  for each row execute function private.enforce_state_transition('company_status', 'status');
create trigger companies_audit
  after insert or update or delete on public.companies
  for each row execute function audit.capture_change('id');

insert into private.state_transitions (machine, from_state, to_state) values
  ('company_status', '', 'active'),
  ('company_status', 'active', 'suspended'),
  ('company_status', 'suspended', 'active');

-- -------------------------------------------------------------------------------------
-- Communities (小区)
-- -------------------------------------------------------------------------------------
create table public.communities (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete restrict,
  name text not null check (char_length(name) between 2 and 100),
  code text check (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  province text check (char_length(province) <= 32),
  city text check (char_length(city) <= 32),
  district text check (char_length(district) <= 32),
  address text check (char_length(address) <= 200),
  contact_phone text check (contact_phone ~ '^[1-9][0-9]{6,14}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint communities_company_id_id_key unique (company_id, id),
  constraint communities_company_id_name_key unique (company_id, name),
  constraint communities_company_id_code_key unique (company_id, code)
);
comment on table public.communities is
  'Residential communities (小区) managed by a company. The unit of staff scoping: a role can be granted company-wide or for one community.';
comment on column public.communities.code is 'Short code unique within the company, used in exports and device topics.';
comment on column public.communities.contact_phone is 'Property service centre (物业服务中心) phone shown to residents.';
comment on constraint communities_company_id_id_key on public.communities is
  'Target of composite foreign keys (company_id, community_id) that keep children inside the tenant.';

create trigger communities_touch_updated_at
  before update on public.communities
  for each row execute function private.touch_updated_at();
create trigger communities_guard_immutable
  before update on public.communities
  for each row execute function private.guard_immutable_columns('id', 'company_id');
create trigger communities_audit
  after insert or update or delete on public.communities
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Buildings (楼栋)
-- -------------------------------------------------------------------------------------
create table public.buildings (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  name text not null check (char_length(name) between 1 and 32),
  sort_order integer not null default 0,
  floor_count smallint check (floor_count between 1 and 200),
  entrance_count smallint check (entrance_count between 1 and 50),
  note text check (char_length(note) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint buildings_community_fkey foreign key (company_id, community_id)
    references public.communities (company_id, id) on delete restrict,
  constraint buildings_company_id_community_id_id_key unique (company_id, community_id, id),
  constraint buildings_company_id_community_id_name_key unique (company_id, community_id, name)
);
comment on table public.buildings is 'Buildings (楼栋) of a community.';
comment on column public.buildings.name is 'Name as shown on site, e.g. "3栋" or "A座".';
comment on column public.buildings.sort_order is 'Display order within the community.';
comment on column public.buildings.floor_count is 'Floors above ground, for information and unit generation.';
comment on column public.buildings.entrance_count is 'Number of entrances (单元) in the building.';

create trigger buildings_touch_updated_at
  before update on public.buildings
  for each row execute function private.touch_updated_at();
create trigger buildings_guard_immutable
  before update on public.buildings
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id');
create trigger buildings_audit
  after insert or update or delete on public.buildings
  for each row execute function audit.capture_change('company_id');

-- -------------------------------------------------------------------------------------
-- Units (房屋)
-- -------------------------------------------------------------------------------------
create type public.unit_use as enum ('residential', 'commercial', 'office', 'parking', 'storage', 'other');
comment on type public.unit_use is 'Use of a unit: 住宅, 商铺, 办公, 车位, 储藏室, 其他. Fee rules (later issues) key on it.';

create table public.units (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null,
  community_id uuid not null,
  building_id uuid not null,
  entrance smallint check (entrance between 1 and 50),
  floor smallint not null check (floor between -10 and 200),
  number text not null check (number ~ '^[0-9A-Za-z-]{1,16}$'),
  floor_area numeric(10, 2) check (floor_area > 0),
  use public.unit_use not null default 'residential',
  note text check (char_length(note) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint units_building_fkey foreign key (company_id, community_id, building_id)
    references public.buildings (company_id, community_id, id) on delete restrict,
  constraint units_company_id_community_id_id_key unique (company_id, community_id, id)
);
comment on table public.units is
  'Units (房屋): dwellings, shops, parking spaces. Soft-deleted only (deleted_at): bills, repairs and occupancies keep referring to them.';
comment on column public.units.entrance is 'Entrance (单元) number within the building; null when the building has a single entrance.';
comment on column public.units.floor is 'Floor; negative for basements.';
comment on column public.units.number is 'Room number as shown on the door, e.g. "1201".';
comment on column public.units.floor_area is 'Gross floor area (建筑面积) in m²; the base of area-priced fees.';
comment on column public.units.use is 'Use of the unit (住宅/商铺/…).';
comment on column public.units.deleted_at is 'Soft delete: when set, the unit is archived and hidden from residents.';
comment on column public.units.deleted_by is 'auth.uid() of who archived the unit (plain uuid, so history survives account deletion).';

-- Listing a building's units in door order; also serves the building foreign key.
create index units_building_idx on public.units (company_id, community_id, building_id, entrance, floor, number);
-- The live address of a unit is unique; archived units may repeat it.
create unique index units_address_key
  on public.units (company_id, community_id, building_id, entrance, number) nulls not distinct
  where deleted_at is null;

create or replace function private.stamp_soft_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.deleted_at is null and new.deleted_at is not null then
    new.deleted_by := (select auth.uid());
  elsif new.deleted_at is null then
    new.deleted_by := null;
  end if;
  return new;
end
$$;
comment on function private.stamp_soft_delete() is 'BEFORE UPDATE trigger: records who soft-deleted (deleted_at) a row, clears it on restore.';
revoke all on function private.stamp_soft_delete() from public, anon, authenticated;

create trigger units_touch_updated_at
  before update on public.units
  for each row execute function private.touch_updated_at();
create trigger units_guard_immutable
  before update on public.units
  for each row execute function private.guard_immutable_columns('id', 'company_id', 'community_id', 'building_id');
create trigger units_stamp_soft_delete
  before update of deleted_at on public.units
  for each row execute function private.stamp_soft_delete();
create trigger units_audit
  after insert or update or delete on public.units
  for each row execute function audit.capture_change('company_id');

alter table public.companies enable row level security;
alter table public.communities enable row level security;
alter table public.buildings enable row level security;
alter table public.units enable row level security;
revoke all on public.companies, public.communities, public.buildings, public.units from public, anon, authenticated;
