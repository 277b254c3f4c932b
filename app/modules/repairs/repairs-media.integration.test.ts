import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, type Tx } from '~/lib/db.server';
import { signAccessToken } from '../../../platform/src/jwt';
import { Inbox, realtimeClient, subscribe } from '../../../platform/src/services/realtime/test-support';
import { PNG_1X1 } from '../../../platform/src/services/storage/storage-test-kit';
import { buildTenancyWorld, type TenancyWorld } from '../../../tests/rls/support/world';
import { startTestPlatform, type TestPlatform } from '../../../tests/support/platform';
import { RepairError } from './errors';
import { MEDIA_BUCKET } from './repairs.schema';
import { attachMedia, getTicketDetail, submitReport } from './repairs.server';
import { officeActions } from './repairs-office.server';

/**
 * Repair media and live updates through the real platform services: photos and videos go to
 * the private bucket through Storage (plain and TUS uploads), are read back by path and by
 * signed URL under the bucket's policies, and the ticket's private Realtime topic admits the
 * household and staff only. The persona matrix covers the same rules at the SQL level.
 */

type Who =
  | 'owner_u1'
  | 'family_full'
  | 'family_limited'
  | 'neighbour_c1'
  | 'technician_c1'
  | 'front_desk_c1'
  | 'resident_c3';

let platform: TestPlatform;
let db: Db;
let w: TenancyWorld;
const tokens = {} as Record<Who, string>;
const storageOf = {} as Record<Who, SupabaseClient>;
let ticketId: string;
let photoPath: string;

const MB = 1024 * 1024;
const as = <T>(who: Who, fn: (tx: Tx) => Promise<T>) => db.withUser(w.users[who].claims, fn);

/** The first bytes of an MP4 (an `ftyp` box), padded: what Storage's content sniffing looks at. */
function mp4(size: number): Buffer {
  const data = Buffer.alloc(size, 7);
  Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex').copy(data, 0);
  return data;
}

function tusUpload(
  who: Who,
  objectName: string,
  data: Buffer,
  contentType: string,
  onProgress?: (p: number) => void,
) {
  return new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `${platform.url}/storage/v1/upload/resumable`,
      retryDelays: [0, 200, 500],
      headers: {
        Authorization: `Bearer ${tokens[who]}`,
        apikey: platform.keys.publishableKey,
        'x-upsert': 'false',
      },
      uploadDataDuringCreation: true,
      removeFingerprintOnSuccess: true,
      chunkSize: 6 * MB,
      metadata: { bucketName: MEDIA_BUCKET, objectName, contentType, cacheControl: '3600' },
      onProgress: (sent, total) => onProgress?.(sent / total),
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
}

beforeAll(async () => {
  platform = await startTestPlatform();
  db = createDb(platform.databaseUrl, { max: 4 });
  w = await buildTenancyWorld({
    query: (q, v) => platform.sql.query(typeof q === 'string' ? q : q.text, v as unknown[]),
  });
  for (const who of Object.keys({
    owner_u1: 1,
    family_full: 1,
    family_limited: 1,
    neighbour_c1: 1,
    technician_c1: 1,
    front_desk_c1: 1,
    resident_c3: 1,
  }) as Who[]) {
    const u = w.users[who];
    tokens[who] = await signAccessToken(
      platform.keys,
      { sub: u.id, role: 'authenticated', aud: 'authenticated', phone: u.phone },
      3600,
    );
    storageOf[who] = platform.anonClient({ global: { headers: { Authorization: `Bearer ${tokens[who]}` } } });
  }
  const water = (
    await platform.sql.query<{ id: string }>(
      `select id from public.repair_categories where community_id = $1 and name = '水电'`,
      [w.communities.c1],
    )
  ).rows[0].id;
  // The resident uploads a photo into their own folder, then files the report with it.
  photoPath = `${w.users.owner_u1.id}/${randomUUID()}.png`;
  const { error } = await storageOf.owner_u1.storage
    .from(MEDIA_BUCKET)
    .upload(photoPath, PNG_1X1, { contentType: 'image/png' });
  expect(error).toBeNull();
  ticketId = (
    await as('owner_u1', (tx) =>
      submitReport(tx, {
        area: 'home',
        unitId: w.units.u1.id,
        categoryId: water,
        description: '卫生间漏水',
        locationNote: null,
        preferredDate: null,
        preferredSlot: 'any',
        contactName: null,
        contactPhone: null,
        media: [photoPath],
      }),
    )
  ).id;
}, 60_000);

afterAll(async () => {
  await db?.close();
  await platform?.close();
});

describe('uploads into the private bucket', () => {
  it("accepts photos only in the uploader's own folder and only of allowed types", async () => {
    const intrude = await storageOf.neighbour_c1.storage
      .from(MEDIA_BUCKET)
      .upload(`${w.users.owner_u1.id}/${randomUUID()}.png`, PNG_1X1, { contentType: 'image/png' });
    expect(intrude.error).not.toBeNull();
    const exe = await storageOf.owner_u1.storage
      .from(MEDIA_BUCKET)
      .upload(`${w.users.owner_u1.id}/${randomUUID()}.png`, Buffer.from('MZ\x90\x00 not a picture'), {
        contentType: 'application/x-msdownload',
      });
    expect(exe.error).not.toBeNull();
    // A file that says it is a PNG but is not one is refused by its bytes.
    const fake = await storageOf.owner_u1.storage
      .from(MEDIA_BUCKET)
      .upload(`${w.users.owner_u1.id}/${randomUUID()}.png`, Buffer.from('plain text'), {
        contentType: 'image/png',
      });
    expect(fake.error).not.toBeNull();
  });

  it('takes a video by resumable TUS upload, with progress, and attaches it to the report', async () => {
    const path = `${w.users.owner_u1.id}/${randomUUID()}.mp4`;
    const progress: number[] = [];
    await tusUpload('owner_u1', path, mp4(7 * MB), 'video/mp4', (p) => progress.push(p));
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(1);
    await as('owner_u1', (tx) => attachMedia(tx, ticketId, 'report', [path]));
    const { media } = await as('owner_u1', (tx) => getTicketDetail(tx, ticketId));
    expect(media.map((m) => m.mediaType).sort()).toEqual(['image', 'video']);
  });

  it('refuses a too-large or wrong-type video when the upload is created, before any byte is sent', async () => {
    const create = (length: number, contentType: string) =>
      fetch(`${platform.url}/storage/v1/upload/resumable`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${tokens.owner_u1}`,
          apikey: platform.keys.publishableKey,
          'Tus-Resumable': '1.0.0',
          'Upload-Length': String(length),
          'Upload-Metadata': [
            `bucketName ${Buffer.from(MEDIA_BUCKET).toString('base64')}`,
            `objectName ${Buffer.from(`${w.users.owner_u1.id}/${randomUUID()}.mp4`).toString('base64')}`,
            `contentType ${Buffer.from(contentType).toString('base64')}`,
          ].join(','),
        },
      });
    const tooLarge = await create(150 * MB, 'video/mp4');
    expect(tooLarge.status).toBe(413);
    const wrongType = await create(MB, 'application/zip');
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    expect(await wrongType.text()).toMatch(/mime type/i);
  });

  it("cannot attach another person's upload to a ticket", async () => {
    const path = `${w.users.neighbour_c1.id}/${randomUUID()}.png`;
    expect(
      (
        await storageOf.neighbour_c1.storage
          .from(MEDIA_BUCKET)
          .upload(path, PNG_1X1, { contentType: 'image/png' })
      ).error,
    ).toBeNull();
    const err = await as('owner_u1', (tx) => attachMedia(tx, ticketId, 'report', [path])).catch((e) => e);
    expect(err).toBeInstanceOf(RepairError);
  });
});

describe("reading a ticket's photo", () => {
  const read = async (who: Who) => {
    const byPath = await storageOf[who].storage.from(MEDIA_BUCKET).download(photoPath);
    const signed = await storageOf[who].storage.from(MEDIA_BUCKET).createSignedUrl(photoPath, 60);
    const fetched = signed.data ? await fetch(signed.data.signedUrl) : null;
    return {
      byPath: byPath.error ? 'denied' : 'read',
      signedUrl: signed.error ? 'denied' : fetched?.status === 200 ? 'read' : `status ${fetched?.status}`,
    };
  };

  it("is open to the household and the community's repair staff, by path and by signed URL", async () => {
    for (const who of ['owner_u1', 'family_full', 'technician_c1', 'front_desk_c1'] as const) {
      expect(await read(who), who).toEqual({ byPath: 'read', signedUrl: 'read' });
    }
  });

  it('is closed to a resident of another unit, a family member without repairs.read and another company', async () => {
    for (const who of ['neighbour_c1', 'family_limited', 'resident_c3'] as const) {
      expect(await read(who), who).toEqual({ byPath: 'denied', signedUrl: 'denied' });
    }
    // Guessing a signed URL does not work either: the token is signed by the platform.
    const forged = await fetch(
      `${platform.url}/storage/v1/object/sign/${MEDIA_BUCKET}/${photoPath}?token=forged`,
    );
    expect(forged.status).toBeGreaterThanOrEqual(400);
  });

  it('cannot be deleted by its uploader once attached', async () => {
    const { data } = await storageOf.owner_u1.storage.from(MEDIA_BUCKET).remove([photoPath]);
    expect(data).toEqual([]);
    expect((await storageOf.front_desk_c1.storage.from(MEDIA_BUCKET).download(photoPath)).error).toBeNull();
  });
});

describe("the ticket's private Realtime topic", () => {
  it('admits the household and staff, refuses others, and carries every step', async () => {
    const topic = `repair:ticket:${ticketId}`;
    const owner = await realtimeClient(platform.url, platform.keys, { token: tokens.owner_u1 });
    const technician = await realtimeClient(platform.url, platform.keys, { token: tokens.technician_c1 });
    const neighbour = await realtimeClient(platform.url, platform.keys, { token: tokens.neighbour_c1 });
    try {
      const inbox = new Inbox<{ event: string; payload: Record<string, unknown> }>();
      const ownerChannel = owner
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, (m) => inbox.push(m as never));
      expect((await subscribe(ownerChannel)).status).toBe('SUBSCRIBED');
      expect((await subscribe(technician.channel(topic, { config: { private: true } }))).status).toBe(
        'SUBSCRIBED',
      );
      const refused = await subscribe(neighbour.channel(topic, { config: { private: true } }));
      expect(refused.status).toBe('CHANNEL_ERROR');
      expect(
        (
          await subscribe(
            neighbour.channel(`repair:community:${w.communities.c1}`, { config: { private: true } }),
          )
        ).status,
      ).toBe('CHANNEL_ERROR');

      await as('front_desk_c1', (tx) => officeActions.accept(tx, ticketId));
      const [message] = await inbox.waitFor(1);
      expect(message.event).toBe('ticket_changed');
      expect(message.payload).toMatchObject({ ticket_id: ticketId, status: 'accepted', event: 'accepted' });
    } finally {
      await owner.removeAllChannels();
      await technician.removeAllChannels();
      await neighbour.removeAllChannels();
    }
  });
});
