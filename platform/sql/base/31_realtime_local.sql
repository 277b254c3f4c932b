-- =====================================================================================
-- realtime (local service): what the local Realtime service needs in the database on top of
-- 30_realtime.sql. Everything callable by app SQL keeps hosted Supabase's signatures, so
-- triggers written for hosted Supabase run here unchanged. Helpers that exist only for the
-- local service live in `_local_platform` (not an exposed schema, not on hosted Supabase).
-- See docs/decisions/0004-local-realtime.md for the design.
-- =====================================================================================

-- -------------------------------------------------------------------------------------
-- Publication: hosted projects have an empty `supabase_realtime` publication; an app opts a
-- table into postgres_changes with `alter publication supabase_realtime add table …`.
-- The local service streams exactly the tables in it (pgoutput filters by publication).
-- -------------------------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- -------------------------------------------------------------------------------------
-- realtime.messages as hosted has it today: binary broadcasts keep their bytes here.
-- -------------------------------------------------------------------------------------
alter table realtime.messages add column if not exists binary_payload bytea;
comment on table realtime.messages is
  'Broadcast messages sent from the database (realtime.send / broadcast_changes) and the rows private-channel RLS policies are written against.';
comment on column realtime.messages.topic is 'Channel sub-topic (what follows `realtime:` in the client''s topic).';
comment on column realtime.messages.extension is '`broadcast` or `presence`: which feature a policy row is about.';
comment on column realtime.messages.private is 'True: only members authorised by RLS on this table receive it.';

-- -------------------------------------------------------------------------------------
-- realtime.send / realtime.send_binary: the current hosted definitions. The message id is also
-- put into the payload (hosted does so since 2025), `realtime.topic` is set for policies that
-- run on the insert, and failures become warnings so a broadcast never aborts the caller.
-- -------------------------------------------------------------------------------------
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
begin
  begin
    generated_id := gen_random_uuid();
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (generated_id, payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, service_role, authenticated;
grant execute on function realtime.send_binary(bytea, text, text, boolean) to postgres, service_role, authenticated;

-- -------------------------------------------------------------------------------------
-- Broadcast from the database: hosted Realtime streams inserts into realtime.messages through
-- logical replication. Locally a trigger NOTIFYs the committed row to the service, which is
-- listening on channel `_local_realtime_messages`. NOTIFY is delivered only after commit (and
-- dropped with a rolled-back transaction or savepoint, so authorization probes never leak).
-- A NOTIFY payload must stay under 8000 bytes: small messages travel whole, larger ones (and
-- binary ones) as their id, and the service reads the row.
-- -------------------------------------------------------------------------------------
create or replace function _local_platform.realtime_notify_message()
returns trigger
language plpgsql
as $$
declare
  whole text;
begin
  if new.binary_payload is null then
    whole := json_build_object(
      'id', new.id, 'topic', new.topic, 'event', new.event, 'private', coalesce(new.private, false),
      'payload', new.payload)::text;
  end if;
  if whole is not null and octet_length(whole) < 7900 then
    perform pg_notify('_local_realtime_messages', whole);
  else
    perform pg_notify('_local_realtime_messages', json_build_object('id', new.id, 'inserted_at', new.inserted_at)::text);
  end if;
  return null;
end
$$;
comment on function _local_platform.realtime_notify_message() is
  'Local platform only: tells the Realtime service about a committed broadcast row (hosted uses logical replication).';

drop trigger if exists _local_realtime_notify on realtime.messages;
create trigger _local_realtime_notify
  after insert on realtime.messages
  for each row
  when (new.extension = 'broadcast')
  execute function _local_platform.realtime_notify_message();

-- -------------------------------------------------------------------------------------
-- Private channel authorization, as hosted Realtime does it (Realtime.Tenants.Authorization):
-- probe rows `(topic, extension)` are inserted as the service, then, as the user's role with
-- `request.jwt.claims` and `realtime.topic` set, a SELECT that sees a probe grants read and an
-- INSERT that passes RLS grants write. Everything runs inside a block that is rolled back
-- (probe rows, settings and any NOTIFY vanish), so one call is one round trip.
-- Returns {"broadcast":{"read":…,"write":…},"presence":{…}}; unchecked values are absent;
-- {"error": "<message>"} when a policy itself fails.
-- -------------------------------------------------------------------------------------
create or replace function _local_platform.realtime_authorize(
  p_topic text, p_claims jsonb, p_headers jsonb, p_extensions text[], p_read boolean, p_write boolean
) returns jsonb
language plpgsql
volatile
as $$
declare
  probe_ids uuid[] := array(select gen_random_uuid() from unnest(p_extensions));
  visible uuid[];
  result jsonb := '{}'::jsonb;
  i int;
begin
  begin
    if p_read then
      insert into realtime.messages (id, topic, extension)
      select probe_ids[n], p_topic, p_extensions[n] from generate_subscripts(p_extensions, 1) n;
    end if;
    perform
      set_config('role', p_claims ->> 'role', true),
      set_config('realtime.topic', p_topic, true),
      set_config('request.jwt.claims', p_claims::text, true),
      set_config('request.jwt.claim.sub', coalesce(p_claims ->> 'sub', ''), true),
      set_config('request.jwt.claim.role', coalesce(p_claims ->> 'role', ''), true),
      set_config('request.headers', coalesce(p_headers, '{}'::jsonb)::text, true);
    for i in 1 .. coalesce(array_length(p_extensions, 1), 0) loop
      result := jsonb_set(result, array[p_extensions[i]], '{}'::jsonb);
    end loop;
    if p_read then
      select array_agg(m.id) into visible from realtime.messages m where m.id = any(probe_ids);
      for i in 1 .. coalesce(array_length(p_extensions, 1), 0) loop
        result := jsonb_set(result, array[p_extensions[i], 'read'], to_jsonb(probe_ids[i] = any(coalesce(visible, '{}'))));
      end loop;
    end if;
    if p_write then
      for i in 1 .. coalesce(array_length(p_extensions, 1), 0) loop
        begin
          insert into realtime.messages (topic, extension) values (p_topic, p_extensions[i]);
          result := jsonb_set(result, array[p_extensions[i], 'write'], 'true'::jsonb);
        exception
          when insufficient_privilege then
            result := jsonb_set(result, array[p_extensions[i], 'write'], 'false'::jsonb);
        end;
      end loop;
    end if;
    -- Undo the probes and the settings: leave the block through its own handler.
    raise exception using errcode = 'RTL01', message = 'realtime authorization probe rollback';
  exception
    when sqlstate 'RTL01' then
      null;
    when others then
      return jsonb_build_object('error', sqlerrm, 'code', sqlstate);
  end;
  return result;
end
$$;
comment on function _local_platform.realtime_authorize(text, jsonb, jsonb, text[], boolean, boolean) is
  'Local platform only: private-channel read/write checks against RLS on realtime.messages, rolled back.';

-- -------------------------------------------------------------------------------------
-- postgres_changes visibility, as hosted realtime.apply_rls does it: for a changed row (its
-- primary key as {column: text}), and for each subscriber's claims, run
-- `select exists(select 1 from <table> where <pk> = …)` as that subscriber's role with
-- `request.jwt.claims` set. Returns one boolean per claims entry, in order. A policy that
-- fails counts as "not visible" for that subscriber only. Returns NULL when the row cannot be
-- seen even by the service: logical decoding can hand over a commit a moment before it is
-- visible to new snapshots (or a later transaction deleted the row); the service retries.
-- -------------------------------------------------------------------------------------
create or replace function _local_platform.realtime_rows_visible(p_entity regclass, p_pk jsonb, p_claims jsonb[])
returns boolean[]
language plpgsql
volatile
as $$
declare
  stmt text;
  visible boolean;
  result boolean[] := '{}';
  c jsonb;
begin
  select 'select exists(select 1 from ' || p_entity::text || ' where '
         || string_agg(format('%I = %L', key, value), ' and ') || ')'
    into stmt
    from jsonb_each_text(p_pk);
  execute stmt into visible;
  if not visible then
    return null;
  end if;
  foreach c in array p_claims loop
    begin
      perform
        set_config('role', c ->> 'role', true),
        set_config('request.jwt.claims', c::text, true),
        set_config('request.jwt.claim.sub', coalesce(c ->> 'sub', ''), true),
        set_config('request.jwt.claim.role', coalesce(c ->> 'role', ''), true);
      execute stmt into visible;
      perform set_config('role', 'none', true);
      result := result || coalesce(visible, false);
    exception
      when others then
        raise warning 'realtime: visibility check on % failed for role %: %', p_entity, c ->> 'role', sqlerrm;
        result := result || false;
    end;
  end loop;
  return result;
end
$$;
comment on function _local_platform.realtime_rows_visible(regclass, jsonb, jsonb[]) is
  'Local platform only: per-subscriber RLS visibility of one changed row (postgres_changes).';

revoke all on function _local_platform.realtime_authorize(text, jsonb, jsonb, text[], boolean, boolean) from public;
revoke all on function _local_platform.realtime_rows_visible(regclass, jsonb, jsonb[]) from public;
revoke all on function _local_platform.realtime_notify_message() from public;
