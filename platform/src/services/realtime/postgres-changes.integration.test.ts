import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { Inbox, mintUser, realtimeClient, sleep, subscribe, type TestUser } from './test-support';

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

let platform: TestPlatform;
let alice: TestUser;
let bob: TestUser;
const clients: SupabaseClient[] = [];
const client = async (opts: Parameters<typeof realtimeClient>[2] = {}) => {
  const c = await realtimeClient(platform.url, platform.keys, opts);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  platform = await startTestPlatform();
  alice = await mintUser(platform.keys);
  bob = await mintUser(platform.keys);
  await platform.sql.query(`
    create table public.rt_memberships (user_id uuid not null, community_id int not null, primary key (user_id, community_id));
    grant select on public.rt_memberships to authenticated;
    create table public.rt_notices (
      id bigint generated always as identity primary key,
      community_id int not null,
      title text not null,
      tags text[] not null default '{}',
      meta jsonb,
      urgent boolean not null default false,
      amount numeric(10, 2),
      created_at timestamptz not null default now(),
      due_on date
    );
    alter table public.rt_notices enable row level security;
    grant select, insert, update, delete on public.rt_notices to authenticated, service_role;
    create policy "members read their communities' notices" on public.rt_notices for select to authenticated
      using (community_id in (select m.community_id from public.rt_memberships m where m.user_id = (select auth.uid())));
    -- A table without RLS, with a full replica identity: old records arrive whole.
    create table public.rt_readings (id int primary key, meter text not null, value float8);
    alter table public.rt_readings replica identity full;
    grant select on public.rt_readings to anon, authenticated;
    alter publication supabase_realtime add table public.rt_notices, public.rt_readings;
  `);
  await platform.sql.query('insert into public.rt_memberships values ($1, 1), ($2, 2)', [alice.id, bob.id]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});
afterAll(async () => {
  await platform?.close();
});

async function listen(
  user: TestUser | null,
  filter: { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string },
  name = `changes-${Math.random()}`,
) {
  const c = await client(user ? { token: user.token } : {});
  const inbox = new Inbox<Change>();
  const system = new Inbox<{ extension: string; status: string; message: string }>();
  const ch = c
    .channel(name)
    .on('postgres_changes', { schema: 'public', ...filter } as never, (p: Change) => inbox.push(p))
    .on('system', {}, (p) => system.push(p));
  const outcome = await subscribe(ch);
  return { ch, inbox, system, outcome };
}

describe('postgres_changes', () => {
  it('delivers a change only to subscribers whose RLS lets them see the row', async () => {
    const a = await listen(alice, { event: 'INSERT', table: 'rt_notices' });
    const b = await listen(bob, { event: 'INSERT', table: 'rt_notices' });
    const anon = await listen(null, { event: 'INSERT', table: 'rt_notices' });
    expect(a.outcome.status).toBe('SUBSCRIBED');
    expect(b.outcome.status).toBe('SUBSCRIBED');
    await a.system.waitFor(1);
    expect(a.system.items[0]).toMatchObject({
      extension: 'postgres_changes',
      status: 'ok',
      message: 'Subscribed to PostgreSQL',
    });

    await platform.sql.query(
      `insert into public.rt_notices (community_id, title, tags, meta, urgent, amount, due_on)
       values (1, '停水通知', '{water,"B栋"}', '{"floor": 3}', true, 12.5, '2026-01-02'), (2, 'Lift repair', '{}', null, false, null, null)`,
    );
    const [forAlice] = await a.inbox.waitFor(1);
    const [forBob] = await b.inbox.waitFor(1);
    await sleep(200);
    expect(a.inbox.items).toHaveLength(1);
    expect(b.inbox.items).toHaveLength(1);
    // anon has no SELECT grant on the table: like hosted, it learns only that it may not see the change.
    expect(anon.inbox.items.map((c) => [c.errors, c.new])).toEqual([
      [['Error 401: Unauthorized'], {}],
      [['Error 401: Unauthorized'], {}],
    ]);

    expect(forAlice).toMatchObject({
      schema: 'public',
      table: 'rt_notices',
      eventType: 'INSERT',
      old: {},
      errors: null,
    });
    expect(forAlice.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(forAlice.new).toEqual({
      id: expect.any(Number),
      community_id: 1,
      title: '停水通知',
      tags: ['water', 'B栋'],
      meta: { floor: 3 },
      urgent: true,
      amount: 12.5,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/),
      due_on: '2026-01-02',
    });
    expect(forBob.new).toMatchObject({
      community_id: 2,
      title: 'Lift repair',
      tags: [],
      meta: null,
      amount: null,
    });
  });

  it('reduces a DELETE old_record to the primary key on an RLS table', async () => {
    const a = await listen(alice, { event: 'DELETE', table: 'rt_notices' });
    expect(a.outcome.status).toBe('SUBSCRIBED');
    const { rows } = await platform.sql.query(
      `insert into public.rt_notices (community_id, title) values (2, 'gone soon') returning id`,
    );
    await platform.sql.query('delete from public.rt_notices where id = $1', [rows[0].id]);
    const [del] = await a.inbox.waitFor(1);
    // DELETEs are not RLS-checked (hosted rule), so only the key is revealed.
    expect(del).toMatchObject({
      eventType: 'DELETE',
      new: {},
      old: { id: Number(rows[0].id) },
      errors: null,
    });
    expect(Object.keys(del.old)).toEqual(['id']);
  });

  it('sends whole old records with replica identity full on a table without RLS', async () => {
    const sub = await listen(null, { event: '*', table: 'rt_readings' });
    await platform.sql.query(`insert into public.rt_readings values (1, 'M-1', 10.5)`);
    await platform.sql.query(`update public.rt_readings set value = 11 where id = 1`);
    await platform.sql.query(`delete from public.rt_readings where id = 1`);
    const [ins, upd, del] = await sub.inbox.waitFor(3);
    expect(ins).toMatchObject({ eventType: 'INSERT', new: { id: 1, meter: 'M-1', value: 10.5 } });
    expect(upd).toMatchObject({
      eventType: 'UPDATE',
      new: { id: 1, meter: 'M-1', value: 11 },
      old: { id: 1, meter: 'M-1', value: 10.5 },
    });
    expect(del).toMatchObject({ eventType: 'DELETE', old: { id: 1, meter: 'M-1', value: 11 } });
  });

  it('applies filters: eq, neq, lt, lte, gt, gte, in', async () => {
    const cases: [string, number[]][] = [
      ['id=eq.2', [2]],
      ['id=neq.2', [1, 3, 4]],
      ['id=lt.3', [1, 2]],
      ['id=lte.3', [1, 2, 3]],
      ['id=gt.3', [4]],
      ['id=gte.3', [3, 4]],
      ['meter=in.(M-1,"M,4")', [1, 4]],
    ];
    const subs = await Promise.all(
      cases.map(([filter]) => listen(null, { event: 'INSERT', table: 'rt_readings', filter })),
    );
    await platform.sql.query(
      `insert into public.rt_readings values (1, 'M-1', 1), (2, 'M-2', 2), (3, 'M-3', 3), (4, 'M,4', 4)`,
    );
    await sleep(500);
    cases.forEach(([filter, ids], i) => {
      expect({ filter, ids: subs[i].inbox.items.map((c) => (c.new as { id: number }).id) }).toEqual({
        filter,
        ids,
      });
    });
    await platform.sql.query('delete from public.rt_readings');
  });

  it('answers the join with one id per binding, in order, and routes by event', async () => {
    const c = await client({ token: alice.token });
    const inserts = new Inbox<Change>();
    const all = new Inbox<Change>();
    const ch = c
      .channel('two-bindings')
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'rt_notices', filter: 'community_id=eq.1' },
        (p: Change) => inserts.push(p),
      )
      .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_notices' }, (p: Change) =>
        all.push(p),
      );
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    const { rows } = await platform.sql.query(
      `insert into public.rt_notices (community_id, title) values (1, 'a') returning id`,
    );
    await platform.sql.query(`update public.rt_notices set title = 'b' where id = $1`, [rows[0].id]);
    await all.waitFor(2);
    await inserts.waitFor(1);
    await sleep(200);
    expect(inserts.items).toHaveLength(1);
    expect(all.items.map((p) => p.eventType)).toEqual(['INSERT', 'UPDATE']);
    // No replica identity full: an UPDATE's old record is empty.
    expect(all.items[1].old).toEqual({});
  });

  it('limits the record to the selected columns plus the primary key', async () => {
    const c = await client({ token: alice.token });
    const inbox = new Inbox<Change>();
    const ch = c
      .channel('selected')
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'rt_notices', select: ['title'] },
        (p: Change) => inbox.push(p),
      );
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    await platform.sql.query(
      `insert into public.rt_notices (community_id, title, meta) values (1, 'narrow', '{"big": true}')`,
    );
    const [p] = await inbox.waitFor(1);
    expect(p.new).toEqual({ id: expect.any(Number), title: 'narrow' });
  });

  it('reports a subscription to a table that does not exist as a system error', async () => {
    const sub = await listen(alice, { event: '*', table: 'no_such_table' });
    expect(sub.outcome.status).toBe('SUBSCRIBED');
    const [msg] = await sub.system.waitFor(1);
    expect(msg).toMatchObject({ extension: 'postgres_changes', status: 'error' });
    expect(msg.message).toContain('Unable to subscribe to changes with given parameters');
  });

  it('refuses the join instead when the client waits for postgres_changes', async () => {
    const c = await client({ token: alice.token });
    const ch = c
      .channel('waiting', { config: { postgres_changes_options: { wait: true } } })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'no_such_table' }, () => {});
    const outcome = await subscribe(ch);
    expect(outcome.status).toBe('CHANNEL_ERROR');
    expect(outcome.error?.message).toMatch(
      /^RealtimeDisabledForConfiguration: Unable to subscribe to changes with given parameters/,
    );
  });

  it('follows the claims of a refreshed access token', async () => {
    let token = bob.token;
    const c = await client({ accessToken: async () => token });
    const inbox = new Inbox<Change>();
    const ch = c
      .channel('switching')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_notices' }, (p: Change) =>
        inbox.push(p),
      );
    expect((await subscribe(ch)).status).toBe('SUBSCRIBED');
    await platform.sql.query(
      `insert into public.rt_notices (community_id, title) values (1, 'for alice only')`,
    );
    await sleep(300);
    expect(inbox.items).toHaveLength(0);
    token = alice.token;
    await c.realtime.setAuth();
    await sleep(100);
    await platform.sql.query(`insert into public.rt_notices (community_id, title) values (1, 'alice again')`);
    const [p] = await inbox.waitFor(1);
    expect(p.new).toMatchObject({ title: 'alice again' });
  });
});
