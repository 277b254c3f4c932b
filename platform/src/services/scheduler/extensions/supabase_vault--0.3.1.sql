-- wuye local platform: SQL-only stand-in for Supabase Vault 0.3 (supabase/vault).
-- =====================================================================================
-- Hosted Supabase has Vault in every project; the local platform creates this stand-in at
-- start and stores there the secrets that app SQL reads to call Edge Functions
-- (`project_url`, `secret_key`). Same table, view and functions as Vault, but the secret
-- is only base64-encoded, NOT encrypted: it holds local development keys only.
-- =====================================================================================

create schema if not exists vault;
comment on schema vault is 'Supabase Vault (local stand-in, not encrypted): named secrets for SQL.';
revoke all on schema vault from public;

create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is 'Named secrets. Locally `secret` is base64 of the value, not a ciphertext.';
create unique index on vault.secrets using btree (name) where name is not null;

create view vault.decrypted_secrets as
select s.id, s.name, s.description, s.secret,
  convert_from(decode(s.secret, 'base64'), 'utf8') as decrypted_secret,
  s.key_id, s.nonce, s.created_at, s.updated_at
from vault.secrets s;

create function vault.create_secret(new_secret text, new_name text = null, new_description text = '', new_key_id uuid = null)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  id uuid;
begin
  insert into vault.secrets (secret, name, description)
  values (pg_catalog.encode(pg_catalog.convert_to(new_secret, 'utf8'), 'base64'), new_name, new_description)
  returning secrets.id into id;
  return id;
end
$$;

create function vault.update_secret(secret_id uuid, new_secret text = null, new_name text = null,
  new_description text = null, new_key_id uuid = null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update vault.secrets s set
    secret = coalesce(pg_catalog.encode(pg_catalog.convert_to(new_secret, 'utf8'), 'base64'), s.secret),
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = pg_catalog.now()
  where s.id = secret_id;
end
$$;

revoke all on all tables in schema vault from public;
revoke all on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid) from public;

select pg_catalog.pg_extension_config_dump('vault.secrets', '');
