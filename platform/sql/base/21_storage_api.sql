-- =====================================================================================
-- storage (part 2): what the local Storage API needs beyond the tables in 20_storage.sql,
-- under the names hosted Supabase Storage uses (supabase/storage `migrations/tenant/*`),
-- so SQL written against a hosted project works here unchanged.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Bucket type (hosted 0044-vector-bucket-type.sql): every bucket the API creates is STANDARD.
-- -------------------------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_type where typname = 'buckettype' and typnamespace = 'storage'::regnamespace) then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$$;
alter table storage.buckets add column if not exists type storage.buckettype not null default 'STANDARD';
comment on column storage.buckets.type is 'STANDARD for object buckets; the local platform has no analytics or vector buckets.';
comment on column storage.buckets.file_size_limit is 'Largest object in bytes; null means the platform-wide limit.';
comment on column storage.buckets.allowed_mime_types is 'MIME types (type/subtype or type/*) an upload may have; null allows any.';
comment on column storage.objects.version is 'The object''s current file: <dataDir>/storage/<bucket_id>/<name>/<version> on the local platform.';
comment on column storage.objects.metadata is 'Set by Storage: eTag, size, mimetype, cacheControl, lastModified, contentLength, httpStatusCode.';
comment on column storage.objects.user_metadata is 'The uploader''s own metadata (storage-js `metadata` option).';
comment on column storage.objects.owner_id is 'The `sub` of the token that uploaded the object.';

-- -------------------------------------------------------------------------------------
-- Direct deletes are refused (hosted 0055-prevent-direct-deletes.sql): deleting rows
-- behind Storage's back orphans their files. The Storage API sets
-- storage.allow_delete_query = 'true' in its own transactions.
-- -------------------------------------------------------------------------------------
create or replace function storage.protect_delete() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.', errcode = '42501';
  end if;
  return null;
end
$$;

drop trigger if exists protect_buckets_delete on storage.buckets;
create trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();
drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();

-- -------------------------------------------------------------------------------------
-- storage.search: the folder-style listing behind `POST /object/list/<bucket>`
-- (storage-js `list()`), same signature and result columns as hosted. Names are relative
-- to `prefix` (which ends with '/' unless empty); `search` narrows the next segment by
-- case-insensitive prefix. Deeper objects are folded into one folder row (null id and
-- metadata). Security invoker: the caller's RLS policies on storage.objects decide which
-- objects, and therefore which folders, are seen.
-- -------------------------------------------------------------------------------------
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits int default 100,
  levels int default 1,
  offsets int default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
)
returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language sql stable security invoker
set search_path = ''
as $$
  with params as (
    select
      coalesce(prefix, '') || coalesce(search, '') as full_prefix,
      -- first path token of an entry's name, and the last one it shows
      coalesce(array_length(string_to_array(coalesce(prefix, ''), '/'), 1), 1) as first_level,
      coalesce(array_length(string_to_array(coalesce(prefix, '') || coalesce(search, ''), '/'), 1), 1) as last_level,
      lower(coalesce(sortorder, 'asc')) = 'desc' as descending,
      case lower(coalesce(sortcolumn, 'name'))
        when 'updated_at' then 'updated_at'
        when 'created_at' then 'created_at'
        when 'last_accessed_at' then 'last_accessed_at'
        else 'name'
      end as sort_by
  ),
  matched as (
    select o.*, p.first_level, p.last_level
    from storage.objects o, params p
    where o.bucket_id = bucketname
      and lower(o.name) like replace(replace(replace(lower(p.full_prefix), '\', '\\'), '%', '\%'), '_', '\_') || '%'
  ),
  entries as (
    select distinct
      array_to_string(m.path_tokens[m.first_level:m.last_level], '/') as name,
      null::uuid as id,
      null::timestamptz as updated_at,
      null::timestamptz as created_at,
      null::timestamptz as last_accessed_at,
      null::jsonb as metadata,
      true as is_folder
    from matched m
    where array_length(m.path_tokens, 1) > m.last_level
    union all
    select
      array_to_string(m.path_tokens[m.first_level:m.last_level], '/'),
      m.id, m.updated_at, m.created_at, m.last_accessed_at, m.metadata,
      false
    from matched m
    where array_length(m.path_tokens, 1) = m.last_level
  )
  select e.name, e.id, e.updated_at, e.created_at, e.last_accessed_at, e.metadata
  from entries e, params p
  order by
    -- sorting by a timestamp lists folders first (they have none), by name ascending
    case when p.sort_by <> 'name' then e.is_folder end desc,
    case when p.sort_by = 'name' and not p.descending then lower(e.name) collate "C" end asc,
    case when p.sort_by = 'name' and p.descending then lower(e.name) collate "C" end desc,
    case when p.sort_by <> 'name' and e.is_folder then lower(e.name) collate "C" end asc,
    case when p.sort_by = 'updated_at' and not p.descending then e.updated_at end asc,
    case when p.sort_by = 'updated_at' and p.descending then e.updated_at end desc,
    case when p.sort_by = 'created_at' and not p.descending then e.created_at end asc,
    case when p.sort_by = 'created_at' and p.descending then e.created_at end desc,
    case when p.sort_by = 'last_accessed_at' and not p.descending then e.last_accessed_at end asc,
    case when p.sort_by = 'last_accessed_at' and p.descending then e.last_accessed_at end desc,
    e.name collate "C"
  limit least(coalesce(limits, 100), 1500) offset greatest(coalesce(offsets, 0), 0)
$$;
comment on function storage.search(text, text, int, int, int, text, text, text) is
  'Folder-style listing of one level of a bucket, as the caller may see it (RLS applies).';

revoke all on function storage.search(text, text, int, int, int, text, text, text) from public;
grant execute on function storage.search(text, text, int, int, int, text, text, text) to anon, authenticated, service_role;
grant usage on type storage.buckettype to anon, authenticated, service_role;
