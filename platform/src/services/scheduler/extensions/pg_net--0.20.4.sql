-- wuye local platform: SQL-only stand-in for pg_net 0.20 (supabase/pg_net).
-- =====================================================================================
-- The same queue tables, types and functions as pg_net, so `net.http_post(...)` in app SQL
-- (cron jobs, triggers) runs unchanged locally. pg_net's background worker is replaced by
-- the local platform (platform/src/services/scheduler/net-worker.ts): it is woken by
-- NOTIFY pg_net_wake, takes a batch from net.http_request_queue, sends the requests and
-- writes net._http_response rows with the same ids, which it deletes after six hours
-- (pg_net.ttl). The worker's connection is named 'pg_net worker'.
-- =====================================================================================

create schema if not exists net;
comment on schema net is 'pg_net (local stand-in): asynchronous HTTP requests from SQL.';

create domain net.http_method as text
check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null
);
comment on table net.http_request_queue is 'Requests waiting for the worker; it removes a batch when it sends it.';

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
comment on table net._http_response is 'One row per finished request, under the request id; kept for six hours.';
create index on net._http_response (created);

create function net.check_worker_is_up() returns void
language plpgsql
as $$
begin
  if not exists (
    select 1 from pg_catalog.pg_stat_activity
    where application_name = 'pg_net worker' and datname = pg_catalog.current_database()
  ) then
    raise exception using
      message = 'the pg_net background worker is not up',
      detail = 'the local platform''s pg_net worker is not connected to this database',
      hint = 'start the local platform (npm run dev)';
  end if;
end
$$;
comment on function net.check_worker_is_up() is 'raises an exception if the pg_net background worker is not up, otherwise it doesn''t return anything';

create function net._await_response(request_id bigint) returns bool
language plpgsql
as $$
declare
  rec net._http_response;
begin
  while rec is null loop
    select * into rec from net._http_response where id = request_id;
    if rec is null then
      perform pg_catalog.pg_sleep(0.05);
    end if;
  end loop;
  return true;
end
$$;

-- Percent-encodes every byte except the unreserved characters, as curl_easy_escape does.
create function net._urlencode_string(string varchar) returns text
language plpgsql immutable
as $$
declare
  bytes bytea := pg_catalog.convert_to(string, 'UTF8');
  result text := '';
  c int;
begin
  for i in 0 .. pg_catalog.length(bytes) - 1 loop
    c := pg_catalog.get_byte(bytes, i);
    if (c between 48 and 57) or (c between 65 and 90) or (c between 97 and 122) or c in (45, 46, 95, 126) then
      result := result || pg_catalog.chr(c);
    else
      result := result || '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(c), 2, '0'));
    end if;
  end loop;
  return result;
end
$$;

create function net._encode_url_with_params_array(url text, params_array text[]) returns text
language sql immutable
as $$
  select case
    when coalesce(pg_catalog.array_length(params_array, 1), 0) = 0 then url
    else url || case when pg_catalog.strpos(url, '?') > 0 then '&' else '?' end || pg_catalog.array_to_string(params_array, '&')
  end
$$;

create function net.wake() returns void
language sql
as $$ select pg_catalog.pg_notify('pg_net_wake', '') $$;

create function net.worker_restart() returns bool
language sql
as $$ select pg_catalog.pg_notify('pg_net_wake', 'restart'); select true $$;

create function net.wait_until_running() returns void
language plpgsql
as $$
declare
  deadline timestamptz := pg_catalog.clock_timestamp() + interval '10 seconds';
begin
  loop
    begin
      perform net.check_worker_is_up();
      return;
    exception when others then
      if pg_catalog.clock_timestamp() > deadline then
        raise;
      end if;
      perform pg_catalog.pg_sleep(0.05);
    end;
  end loop;
end
$$;
comment on function net.wait_until_running() is 'waits until the worker is running';

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  select h.value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) h
  where lower(h.key) = 'content-type'
  limit 1;

  -- Like pg_net: a missing Content-Type becomes JSON; any other one is refused.
  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, params_array), headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000,
  body jsonb default null
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('DELETE', net._encode_url_with_params_array(url, params_array), headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');
create type net.http_response as (status_code integer, headers jsonb, body text);
create type net.http_response_result as (status net.request_status, message text, response net.http_response);

create function net._http_collect_response(request_id bigint, async bool default true) returns net.http_response_result
language plpgsql
as $$
declare
  rec net._http_response;
begin
  if not async then
    perform net._await_response(request_id);
  end if;
  select * into rec from net._http_response where id = request_id;
  if rec is null or rec.error_msg is not null then
    return ('ERROR', coalesce(rec.error_msg, 'request matching request_id not found'), null)::net.http_response_result;
  end if;
  return ('SUCCESS', 'ok', (rec.status_code, rec.headers, rec.content)::net.http_response)::net.http_response_result;
end
$$;

create function net.http_collect_response(request_id bigint, async bool default true) returns net.http_response_result
language plpgsql
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end
$$;

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
