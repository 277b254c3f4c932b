import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { Inbox, mintUser, realtimeClient, sleep, subscribe, type TestUser } from './test-support';

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
  // Broadcast from the database, the way Supabase recommends it: a trigger on the app's table calls
  // realtime.broadcast_changes() into a private topic per community; members may read it.
  await platform.sql.query(`
    create table public.rt_members (user_id uuid not null, community_id int not null, primary key (user_id, community_id));
    grant select on public.rt_members to authenticated;
    create table public.rt_repairs (id bigint generated always as identity primary key, community_id int not null, status text not null);
    create or replace function public.rt_repairs_broadcast() returns trigger
    language plpgsql security definer set search_path = '' as $$
    begin
      perform realtime.broadcast_changes(
        'community:' || coalesce(new.community_id, old.community_id)::text, tg_op, tg_op,
        tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger rt_repairs_broadcast after insert or update or delete on public.rt_repairs
      for each row execute function public.rt_repairs_broadcast();
    create policy "members receive their community's topic" on realtime.messages for select to authenticated
      using (exists (select 1 from public.rt_members m
                     where m.user_id = (select auth.uid()) and realtime.topic() = 'community:' || m.community_id));
    create policy "members track presence in their community" on realtime.messages for insert to authenticated
      with check (extension = 'presence' and exists (select 1 from public.rt_members m
                  where m.user_id = (select auth.uid()) and realtime.topic() = 'community:' || m.community_id));
  `);
  await platform.sql.query('insert into public.rt_members values ($1, 1), ($2, 2)', [alice.id, bob.id]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});
afterAll(async () => {
  await platform?.close();
});

describe('broadcast from the database', () => {
  it('delivers broadcast_changes from a trigger to the authorized members of the private topic only', async () => {
    const a = await client({ token: alice.token });
    const b = await client({ token: bob.token });
    const aInbox = new Inbox<{ event: string; payload: Record<string, unknown>; meta?: { id: string } }>();
    const chA = a
      .channel('community:1', { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => aInbox.push(m as never));
    expect((await subscribe(chA)).status).toBe('SUBSCRIBED');
    // Bob may not even join community 1.
    const denied = await subscribe(b.channel('community:1', { config: { private: true } }));
    expect(denied.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: community:1',
    );

    const { rows } = await platform.sql.query(
      `insert into public.rt_repairs (community_id, status) values (1, 'open'), (2, 'open') returning id`,
    );
    await platform.sql.query(`update public.rt_repairs set status = 'done' where id = $1`, [rows[0].id]);
    await platform.sql.query('delete from public.rt_repairs where id = $1', [rows[0].id]);
    await aInbox.waitFor(3);
    await sleep(200);
    expect(aInbox.items.map((m) => m.event)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    const [ins, upd, del] = aInbox.items;
    expect(ins.payload).toMatchObject({
      operation: 'INSERT',
      schema: 'public',
      table: 'rt_repairs',
      record: { id: Number(rows[0].id), community_id: 1, status: 'open' },
      old_record: null,
    });
    expect(ins.payload.id).toBe(ins.meta?.id);
    expect(upd.payload).toMatchObject({ record: { status: 'done' }, old_record: { status: 'open' } });
    expect(del.payload).toMatchObject({ operation: 'DELETE', record: null, old_record: { status: 'done' } });
  });

  it('delivers realtime.send to public and private topics, large and binary payloads too', async () => {
    const a = await client({ token: alice.token });
    const anon = await client();
    const priv = new Inbox<{ event: string; payload: unknown }>();
    const pub = new Inbox<{ event: string; payload: unknown }>();
    await subscribe(
      a
        .channel('community:1', { config: { private: true } })
        .on('broadcast', { event: '*' }, (m) => priv.push(m as never)),
    );
    await subscribe(anon.channel('lobby').on('broadcast', { event: '*' }, (m) => pub.push(m as never)));
    const big = 'x'.repeat(20_000); // over the 8000-byte NOTIFY limit: travels by id
    await platform.sql.query(`select realtime.send('{"n": 1}', 'small', 'community:1')`);
    await platform.sql.query(
      `select realtime.send(jsonb_build_object('big', $1::text), 'big', 'community:1', true)`,
      [big],
    );
    await platform.sql.query(`select realtime.send_binary('\\x00ff10', 'raw', 'community:1')`);
    await platform.sql.query(`select realtime.send('{"hello": "everyone"}', 'announce', 'lobby', false)`);
    await priv.waitFor(3);
    await pub.waitFor(1);
    expect(priv.items.map((m) => m.event)).toEqual(['small', 'big', 'raw']);
    expect(priv.items[0].payload).toMatchObject({ n: 1, id: expect.any(String) });
    expect((priv.items[1].payload as { big: string }).big).toHaveLength(20_000);
    expect([...new Uint8Array(priv.items[2].payload as ArrayBuffer)]).toEqual([0, 255, 16]);
    expect(pub.items[0].payload).toMatchObject({ hello: 'everyone' });
  });

  it('does not deliver messages of a rolled-back transaction', async () => {
    const a = await client({ token: alice.token });
    const inbox = new Inbox<unknown>();
    await subscribe(
      a
        .channel('community:1', { config: { private: true } })
        .on('broadcast', { event: '*' }, (m) => inbox.push(m)),
    );
    const c = await platform.sql.connect();
    try {
      await c.query('begin');
      await c.query(`select realtime.send('{}', 'never', 'community:1')`);
      await c.query('rollback');
    } finally {
      c.release();
    }
    await platform.sql.query(`select realtime.send('{}', 'after', 'community:1')`);
    await inbox.waitFor(1);
    await sleep(100);
    expect(inbox.items).toEqual([expect.objectContaining({ event: 'after' })]);
  });
});

describe('presence', () => {
  it('syncs state, reports joins and leaves', async () => {
    const a = await client();
    const b = await client();
    const joins = new Inbox<{ key: string; newPresences: Record<string, unknown>[] }>();
    const leaves = new Inbox<{ key: string; leftPresences: Record<string, unknown>[] }>();
    const syncs = new Inbox<null>();
    const chA = a
      .channel('hall', { config: { presence: { key: 'alice' } } })
      .on('presence', { event: 'sync' }, () => syncs.push(null))
      .on('presence', { event: 'join' }, (p) => joins.push(p as never))
      .on('presence', { event: 'leave' }, (p) => leaves.push(p as never));
    expect((await subscribe(chA)).status).toBe('SUBSCRIBED');
    await syncs.waitFor(1); // the initial presence_state
    expect(chA.presenceState()).toEqual({});
    expect(await chA.track({ name: 'Alice', at: 1 })).toBe('ok');
    await joins.waitFor(1);
    expect(joins.items[0]).toMatchObject({
      key: 'alice',
      newPresences: [{ name: 'Alice', at: 1, presence_ref: expect.any(String) }],
    });

    const chB = b.channel('hall', { config: { presence: { key: 'bob' } } });
    const bSyncs = new Inbox<null>();
    chB.on('presence', { event: 'sync' }, () => bSyncs.push(null));
    await subscribe(chB);
    await bSyncs.waitFor(1);
    expect(chB.presenceState()).toEqual({ alice: [expect.objectContaining({ name: 'Alice', at: 1 })] });
    await chB.track({ name: 'Bob' });
    await joins.waitFor(2);
    expect(Object.keys(chA.presenceState()).sort()).toEqual(['alice', 'bob']);

    // An update replaces the meta: the client sees it as a join (and the old meta leaving).
    await chA.track({ name: 'Alice', at: 2 });
    await sleep(200);
    expect(chB.presenceState().alice).toEqual([expect.objectContaining({ at: 2 })]);

    await chB.untrack();
    await leaves.waitFor(2);
    expect(leaves.items.at(-1)).toMatchObject({ key: 'bob', leftPresences: [{ name: 'Bob' }] });
    expect(Object.keys(chA.presenceState())).toEqual(['alice']);
  });

  it('drops a presence when its socket goes away', async () => {
    const a = await client();
    const b = await client();
    const leaves = new Inbox<{ key: string }>();
    const chA = a
      .channel('room-x', { config: { presence: { key: 'watcher' } } })
      .on('presence', { event: 'leave' }, (p) => leaves.push(p as never));
    await subscribe(chA);
    const chB = b.channel('room-x', { config: { presence: { key: 'leaver' } } });
    await subscribe(chB);
    await chB.track({ here: true });
    await sleep(100);
    await b.realtime.disconnect();
    const [left] = await leaves.waitFor(1);
    expect(left.key).toBe('leaver');
  });

  it('needs the presence policies on a private channel', async () => {
    const a = await client({ token: alice.token });
    const b = await client({ token: bob.token });
    const chA = a.channel('community:1', { config: { private: true, presence: { key: 'a' } } });
    const syncs = new Inbox<null>();
    chA.on('presence', { event: 'sync' }, () => syncs.push(null));
    expect((await subscribe(chA)).status).toBe('SUBSCRIBED');
    expect(await chA.track({ online: true })).toBe('ok');
    await syncs.waitFor(2);
    expect(chA.presenceState()).toEqual({ a: [expect.objectContaining({ online: true })] });
    // Bob reads community 2 only through the SELECT policy, and may not track in community 1.
    const chB = b.channel('community:1', { config: { private: true } });
    expect((await subscribe(chB)).status).toBe('CHANNEL_ERROR');
  });
});
