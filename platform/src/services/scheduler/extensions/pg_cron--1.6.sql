-- wuye local platform: SQL-only stand-in for pg_cron 1.6 (citusdata/pg_cron).
-- =====================================================================================
-- The same tables, functions and errors as pg_cron, so that migrations written for hosted
-- Supabase (`create extension pg_cron; select cron.schedule(...)`) run unchanged locally.
-- pg_cron's background worker is replaced by the local platform's scheduler
-- (platform/src/services/scheduler), which reads cron.job, runs due commands and records
-- them in cron.job_run_details. Differences from pg_cron:
--   * any database may create it (each local platform schedules the database it serves);
--   * cron.local_job_state (local only) remembers the last slot each job ran for, so a run
--     missed while the platform was down is caught up once after it starts.
-- =====================================================================================

create schema cron;
comment on schema cron is 'pg_cron (local stand-in): scheduled jobs and their run history.';

create sequence cron.jobid_seq;
create table cron.job (
  jobid bigint primary key default pg_catalog.nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport int not null default pg_catalog.inet_server_port(),
  database text not null default pg_catalog.current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text
);
comment on table cron.job is 'pg_cron jobs: a schedule (cron syntax or ''N seconds'', UTC) and the SQL it runs.';
create unique index jobname_username_idx on cron.job (jobname, username);
alter table cron.job add constraint jobname_username_uniq unique using index jobname_username_idx;
grant select on cron.job to public;
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username operator(pg_catalog.=) current_user);

create sequence cron.runid_seq;
create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default pg_catalog.nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
comment on table cron.job_run_details is 'pg_cron run history: one row per run, status starting/running/succeeded/failed.';
grant select, delete on cron.job_run_details to public;
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username operator(pg_catalog.=) current_user);
grant select on sequence cron.jobid_seq, cron.runid_seq to public;

-- -------------------------------------------------------------------------------------
-- Local only: catch-up bookkeeping.
-- -------------------------------------------------------------------------------------
create table cron.local_job_state (
  jobid bigint primary key references cron.job (jobid) on delete cascade,
  last_due timestamptz not null
);
comment on table cron.local_job_state is
  'Local platform only (not in pg_cron): the scheduled time each job last ran for. Slots between it and now were missed while the platform was down and are caught up by one run.';
comment on column cron.local_job_state.last_due is
  'The latest slot the job has run (or been claimed) for; set to the creation time for a new job, and reset when its schedule changes or it is re-activated.';

create function cron.local_job_state_sync() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into cron.local_job_state (jobid, last_due) values (new.jobid, pg_catalog.now());
  elsif new.schedule is distinct from old.schedule or (new.active and not old.active) then
    -- A new schedule or a re-activated job starts from now: old slots are not owed.
    update cron.local_job_state set last_due = pg_catalog.now() where jobid = new.jobid;
  end if;
  return null;
end
$$;
create trigger local_job_state_sync after insert or update on cron.job
  for each row execute function cron.local_job_state_sync();

-- pg_cron reloads its job list when cron.job changes; the local scheduler listens here.
create function cron.job_cache_invalidate() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify('cron_job_cache_invalidate', '');
  return null;
end
$$;
comment on function cron.job_cache_invalidate() is 'invalidate job cache';
create trigger cron_job_cache_invalidate after insert or update or delete or truncate on cron.job
  for each statement execute function cron.job_cache_invalidate();

-- -------------------------------------------------------------------------------------
-- Schedule syntax, checked as pg_cron checks it (vixie cron fields, $, @specials, seconds).
-- -------------------------------------------------------------------------------------
create function cron.local_field_value(token text, names text[], name_base int) returns int
language plpgsql immutable
set search_path = ''
as $$
declare
  idx int;
begin
  if token ~ '^[0-9]{1,4}$' then
    return token::int;
  end if;
  idx := pg_catalog.array_position(names, pg_catalog.lower(token));
  return case when idx is null then null else idx - 1 + name_base end;
end
$$;

create function cron.local_field_valid(field text, low int, high int, names text[], name_base int) returns boolean
language plpgsql immutable
set search_path = ''
as $$
declare
  item text;
  m text[];
  bounds text[];
  a int;
  b int;
  step int;
begin
  if field is null or field = '' then
    return false;
  end if;
  foreach item in array pg_catalog.string_to_array(field, ',') loop
    m := pg_catalog.regexp_match(item, '^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/([0-9]{1,4}))?$');
    if m is null then
      return false;
    end if;
    if m[1] = '*' then
      a := low;
      b := high;
    else
      bounds := pg_catalog.string_to_array(m[1], '-');
      a := cron.local_field_value(bounds[1], names, name_base);
      b := case when pg_catalog.array_length(bounds, 1) = 1 then a else cron.local_field_value(bounds[2], names, name_base) end;
      -- A single value with a step (5/10) is not valid: a step needs a range or *.
      if a is null or b is null or (pg_catalog.array_length(bounds, 1) = 1 and m[2] is not null) then
        return false;
      end if;
    end if;
    step := coalesce(m[2]::int, 1);
    if a < low or a > high or b < low or b > high or step <= 0 or step > high then
      return false;
    end if;
  end loop;
  return true;
end
$$;

create function cron.local_schedule_valid(schedule text) returns boolean
language plpgsql immutable
set search_path = ''
as $$
declare
  s text := pg_catalog.btrim(schedule);
  f text[];
  n text;
begin
  if s ~* '^[0-9]+\s+seconds?$' then
    n := (pg_catalog.regexp_match(s, '^([0-9]+)'))[1];
    return pg_catalog.length(n) <= 2 and n::int between 1 and 59;
  end if;
  if s like '@%' then
    s := case pg_catalog.lower(pg_catalog.substr(s, 2))
      when 'reboot' then 'reboot'
      when 'restart' then 'reboot'
      when 'yearly' then '0 0 1 1 *'
      when 'annually' then '0 0 1 1 *'
      when 'monthly' then '0 0 1 * *'
      when 'weekly' then '0 0 * * 0'
      when 'daily' then '0 0 * * *'
      when 'midnight' then '0 0 * * *'
      when 'hourly' then '0 * * * *'
    end;
    if s is null or s = 'reboot' then
      return s is not null;
    end if;
  end if;
  f := pg_catalog.regexp_split_to_array(s, '\s+');
  if pg_catalog.array_length(f, 1) is distinct from 5 then
    return false;
  end if;
  return cron.local_field_valid(f[1], 0, 59, null, 0)
    and cron.local_field_valid(f[2], 0, 23, null, 0)
    and (f[3] = '$' or cron.local_field_valid(f[3], 1, 31, null, 0))
    and cron.local_field_valid(f[4], 1, 12, array['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'], 1)
    and cron.local_field_valid(f[5], 0, 7, array['sun','mon','tue','wed','thu','fri','sat'], 0);
end
$$;

create function cron.local_check_schedule(schedule text) returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if not cron.local_schedule_valid(schedule) then
    raise exception using
      errcode = 'invalid_parameter_value',
      message = pg_catalog.format('invalid schedule: %s', schedule),
      hint = 'Use cron format (e.g. 5 4 * * *), or interval format ''[1-59] seconds''';
  end if;
end
$$;

-- -------------------------------------------------------------------------------------
-- pg_cron's API. Invoker rights: only roles that may write cron.job (its owner) schedule.
-- -------------------------------------------------------------------------------------
create function cron.schedule(schedule text, command text) returns bigint
language plpgsql strict
set search_path = ''
as $$
declare
  id bigint;
begin
  perform cron.local_check_schedule(schedule);
  insert into cron.job (schedule, command) values (schedule, command) returning jobid into id;
  return id;
end
$$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule(job_name text, schedule text, command text) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  id bigint;
begin
  perform cron.local_check_schedule(schedule);
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command
  returning jobid into id;
  return id;
end
$$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(job_name text, schedule text, command text, database text,
  username text default null, active boolean default true) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  id bigint;
begin
  perform cron.local_check_schedule(schedule);
  insert into cron.job (jobname, schedule, command, database, username, active)
  values (job_name, schedule, command, database, coalesce(username, current_user), active)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command, database = excluded.database, active = excluded.active
  returning jobid into id;
  return id;
end
$$;
comment on function cron.schedule_in_database(text, text, text, text, text, boolean) is 'schedule a pg_cron job';
revoke all on function cron.schedule_in_database(text, text, text, text, text, boolean) from public;

create function cron.unschedule(job_id bigint) returns boolean
language plpgsql strict
set search_path = ''
as $$
begin
  delete from cron.job j
  where j.jobid = job_id
    and (j.username = current_user or (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user));
  if not found then
    raise exception 'could not find valid entry for job %', job_id;
  end if;
  return true;
end
$$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text) returns boolean
language plpgsql strict
set search_path = ''
as $$
begin
  delete from cron.job j where j.jobname = job_name and j.username = current_user;
  if not found then
    raise exception 'could not find valid entry for job ''%''', job_name;
  end if;
  return true;
end
$$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(job_id bigint, schedule text default null, command text default null,
  database text default null, username text default null, active boolean default null) returns void
language plpgsql
set search_path = ''
as $$
begin
  if schedule is not null then
    perform cron.local_check_schedule(schedule);
  end if;
  update cron.job j set
    schedule = coalesce(alter_job.schedule, j.schedule),
    command = coalesce(alter_job.command, j.command),
    database = coalesce(alter_job.database, j.database),
    username = coalesce(alter_job.username, j.username),
    active = coalesce(alter_job.active, j.active)
  where j.jobid = job_id;
  if not found then
    raise exception 'Job % does not exist or you don''t own it', job_id;
  end if;
end
$$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean) is
  'Alter the job identified by job_id. Any option left as NULL will not be modified.';
revoke all on function cron.alter_job(bigint, text, text, text, text, boolean) from public;

select pg_catalog.pg_extension_config_dump('cron.job', '');
select pg_catalog.pg_extension_config_dump('cron.jobid_seq', '');
select pg_catalog.pg_extension_config_dump('cron.job_run_details', '');
select pg_catalog.pg_extension_config_dump('cron.runid_seq', '');

-- Tell a running scheduler that there is something to schedule now.
select pg_catalog.pg_notify('cron_job_cache_invalidate', 'created');
