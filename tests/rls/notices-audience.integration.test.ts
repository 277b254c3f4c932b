import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../app/lib/db.server';
import {
  Inbox,
  mintUser,
  realtimeClient,
  subscribe,
} from '../../platform/src/services/realtime/test-support';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { attemptAs, type Outcome, rows } from './support/run-as';
import {
  buildTenancyWorld,
  createBuilding,
  createOccupancy,
  createUnit,
  createUser,
  PERSONAS,
  type Persona,
  type TenancyWorld,
  type TestUser,
} from './support/world';

/**
 * Notice audience across the persona matrix: for every notice (whole community, one building,
 * one unit, draft, expired, withdrawn) and every persona, the notice is readable by exactly its
 * publishers and the residents it is addressed to — through the table, its attachments row, the
 * Storage object (real Storage API with the persona's token), read receipts, the inbox and the
 * Realtime topic (real websocket).
 */

type Who = Persona | 'resident_b';
const WHO: readonly Who[] = [...PERSONAS, 'resident_b'];

let platform: TestPlatform;
let w: TenancyWorld;
let residentB: TestUser;
let client: pg.PoolClient;
const claimsOf = (p: Who): JwtClaims => (p === 'resident_b' ? residentB.claims : w.claims[p]);
const userIdOf = (p: Who): string | null =>
  p === 'resident_b' ? residentB.id : p === 'anonymous' || p === 'service_role' ? null : w.users[p].id;

type NoticeCase = {
  key: string;
  id: string;
  path: string;
  /** Residents it is addressed to (beyond the publishers). */
  audience: readonly Who[];
  /** Published now (readable by its audience)? */
  live: boolean;
};
const notices: Record<string, NoticeCase> = {};
const PUBLISHERS: readonly Who[] = ['admin_a', 'manager_c1'];
const RESIDENTS_C1: readonly Who[] = [
  'owner_u1',
  'family_full',
  'family_limited',
  'neighbour_c1',
  'resident_b',
];

const realtime = new Map<Who, Inbox<{ payload: { link: string } }>>();
const clients: SupabaseClient[] = [];

async function token(p: Who): Promise<string> {
  const c = claimsOf(p);
  return (
    await mintUser(platform.keys, { id: c.sub, claims: { phone: c.phone, app_metadata: c.app_metadata } })
  ).token;
}

async function asPersona(p: Who, act: Parameters<typeof attemptAs>[2]): Promise<Outcome> {
  return attemptAs(client, claimsOf(p), act);
}

async function createNotice(
  title: string,
  audience: 'community' | 'buildings' | 'units',
  target?: { building?: string; unit?: string },
): Promise<{ id: string; path: string }> {
  const { rows: r } = await platform.sql.query<{ id: string }>(
    `insert into public.notices (company_id, community_id, title, body_html, body_text, audience, priority)
     values ($1, $2, $3, '<p>正文</p>', '正文', $4, 'important') returning id`,
    [w.companyA.id, w.communities.c1, title, audience],
  );
  const id = r[0].id;
  if (target) {
    await platform.sql.query(
      'insert into public.notice_targets (notice_id, building_id, unit_id) values ($1, $2, $3)',
      [id, target.building ?? null, target.unit ?? null],
    );
  }
  const path = `${w.companyA.id}/${w.communities.c1}/${id}/plan.pdf`;
  const upload = await platform
    .adminClient()
    .storage.from('notice-files')
    .upload(path, new Blob(['%PDF-1.4 停水范围'], { type: 'application/pdf' }), {
      contentType: 'application/pdf',
    });
  expect(upload.error).toBeNull();
  await platform.sql.query(
    `insert into public.notice_attachments (notice_id, object_path, file_name, mime_type, size_bytes, kind)
     values ($1, $2, 'plan.pdf', 'application/pdf', 20, 'file')`,
    [id, path],
  );
  return { id, path };
}

/** Publishes as the community manager (role and claims as withUser sets them), through the SQL the app calls. */
async function publishAsManager(id: string) {
  const c = await platform.sql.connect();
  try {
    await c.query('begin');
    await c.query(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
      [JSON.stringify(w.claims.manager_c1)],
    );
    await c.query('select private.publish_notice($1)', [id]);
    await c.query('commit');
  } catch (err) {
    await c.query('rollback');
    throw err;
  } finally {
    c.release();
  }
}

beforeAll(async () => {
  platform = await startTestPlatform();
  w = await buildTenancyWorld(platform.sql);
  const b1b = await createBuilding(platform.sql, w.companyA.id, w.communities.c1, '2栋');
  const u6 = await createUnit(
    platform.sql,
    { companyId: w.companyA.id, communityId: w.communities.c1, buildingId: b1b },
    '201',
  );
  residentB = await createUser(platform.sql, { name: 'resident_b' });
  await createOccupancy(platform.sql, u6, { userId: residentB.id, relation: 'owner', name: '住户乙' });
  client = await platform.sql.connect();

  // Everyone signed in listens on their own topic while the notices go out.
  for (const p of WHO) {
    if (p === 'anonymous' || p === 'service_role') continue;
    const c = await realtimeClient(platform.url, platform.keys, { token: await token(p) });
    clients.push(c);
    const inbox = new Inbox<{ payload: { link: string } }>();
    realtime.set(p, inbox);
    const channel = c
      .channel(`user:${userIdOf(p)}`, { config: { private: true } })
      .on('broadcast', { event: 'notification' }, (m) => inbox.push(m as never));
    expect((await subscribe(channel)).status).toBe('SUBSCRIBED');
  }

  const community = await createNotice('全小区停水', 'community');
  const building = await createNotice('2栋电梯检修', 'buildings', { building: b1b });
  const unit = await createNotice('102 室水表更换', 'units', { unit: w.units.u2.id });
  const draft = await createNotice('草稿', 'community');
  const expired = await createNotice('已过期', 'community');
  const withdrawn = await createNotice('已撤回', 'community');
  for (const n of [community, building, unit, expired, withdrawn]) await publishAsManager(n.id);
  await platform.sql.query(
    `update public.notices set expires_at = now() - interval '1 minute' where id = $1`,
    [expired.id],
  );
  await platform.sql.query('select private.withdraw_notice($1)', [withdrawn.id]);

  notices.community = { key: 'community', ...community, audience: RESIDENTS_C1, live: true };
  notices.building = { key: 'building', ...building, audience: ['resident_b'], live: true };
  notices.unit = { key: 'unit', ...unit, audience: ['neighbour_c1'], live: true };
  notices.draft = { key: 'draft', ...draft, audience: [], live: false };
  notices.expired = { key: 'expired', ...expired, audience: RESIDENTS_C1, live: false };
  notices.withdrawn = { key: 'withdrawn', ...withdrawn, audience: RESIDENTS_C1, live: false };
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
  client?.release();
  await platform?.close();
});

const expectedReaders = (n: NoticeCase): Who[] =>
  WHO.filter((p) => p === 'service_role' || PUBLISHERS.includes(p) || (n.live && n.audience.includes(p)));

describe.each(['community', 'building', 'unit', 'draft', 'expired', 'withdrawn'])(
  'notice addressed to %s',
  (key) => {
    it('is readable in the table, its attachments and their Storage rows only by its publishers and audience', async () => {
      const n = notices[key];
      const seen: Record<string, Outcome> = {};
      for (const p of WHO) {
        const notice = await asPersona(p, (tx) =>
          rows(tx, 'select count(*) as n from public.notices where id = $1', [n.id]),
        );
        const files = await asPersona(p, (tx) =>
          rows(tx, 'select count(*) as n from public.notice_attachments where notice_id = $1', [n.id]),
        );
        const storageRow = await asPersona(p, (tx) =>
          rows(
            tx,
            `select count(*) as n from storage.objects where bucket_id = 'notice-files' and name = $1`,
            [n.path],
          ),
        );
        expect(new Set([notice, files, storageRow]).size, `${p}: table, attachments and storage agree`).toBe(
          1,
        );
        seen[p] = notice;
      }
      const allowed = Object.entries(seen)
        .filter(([, o]) => o === 'allow')
        .map(([p]) => p);
      expect(allowed.sort()).toEqual(expectedReaders(n).sort());
    });

    it('is downloadable from Storage (real API, persona token) only by its publishers and audience', async () => {
      const n = notices[key];
      const allowed: Who[] = [];
      for (const p of WHO) {
        if (p === 'service_role') continue;
        const c =
          p === 'anonymous'
            ? platform.anonClient()
            : platform.anonClient({ accessToken: async () => token(p) } as never);
        const { data, error } = await c.storage.from('notice-files').download(n.path);
        if (data && !error) allowed.push(p);
      }
      expect(allowed.sort()).toEqual(
        expectedReaders(n)
          .filter((p) => p !== 'service_role')
          .sort(),
      );
    });

    it('accepts read receipts only from the residents it is addressed to, and they were notified', async () => {
      const n = notices[key];
      const allowed: Who[] = [];
      for (const p of WHO) {
        if (p === 'service_role') continue;
        const o = await asPersona(p, (tx) =>
          rows(tx, 'insert into public.notice_reads (notice_id) values ($1)', [n.id]),
        );
        if (o === 'allow') allowed.push(p);
      }
      expect(allowed.sort()).toEqual(n.live ? [...n.audience].sort() : []);
      const inbox = await platform.sql.query<{ user_id: string }>(
        'select user_id from public.notifications where event_key = $1',
        [`notice:${n.id}`],
      );
      const notified = inbox.rows.map((r) => r.user_id).sort();
      const audienceIds = (n.key === 'draft' ? [] : n.audience).map((p) => userIdOf(p)).sort();
      expect(notified).toEqual(audienceIds);
    });
  },
);

describe('reach counts', () => {
  it('tell publishers how many residents were notified and read, and nobody else', async () => {
    const n = notices.community;
    const reach = async (p: Who) => {
      const c = await platform.sql.connect();
      try {
        await c.query('begin');
        await c.query(
          `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
          [JSON.stringify(claimsOf(p))],
        );
        return (await c.query('select notified, reads from private.notice_reach($1::uuid[])', [[n.id]])).rows;
      } finally {
        await c.query('rollback');
        c.release();
      }
    };
    expect(await reach('manager_c1')).toEqual([{ notified: RESIDENTS_C1.length, reads: 0 }]);
    for (const p of ['owner_u1', 'manager_c2', 'front_desk_c1', 'admin_b', 'platform_owner'] as const) {
      expect(await reach(p), p).toEqual([]);
    }
  });
});

describe('Realtime', () => {
  it('delivered each published notice to the topics of its audience and nobody else', async () => {
    await realtime.get('resident_b')!.waitFor(4);
    for (const p of WHO) {
      if (p === 'anonymous' || p === 'service_role') continue;
      const links = new Set(realtime.get(p)!.items.map((m) => m.payload.link));
      for (const n of Object.values(notices)) {
        const expected = n.key !== 'draft' && n.audience.includes(p);
        expect(links.has(`/notices/${n.id}`), `${p} ← ${n.key}`).toBe(expected);
      }
    }
  });

  it('refuses to let anyone join another person’s topic', async () => {
    for (const p of ['resident_c3', 'neighbour_c1', 'manager_c1', 'platform_owner'] as const) {
      const c = await realtimeClient(platform.url, platform.keys, { token: await token(p) });
      clients.push(c);
      const outcome = await subscribe(
        c.channel(`user:${w.users.owner_u1.id}`, { config: { private: true } }),
      );
      expect(outcome.status, p).not.toBe('SUBSCRIBED');
    }
  });
});
