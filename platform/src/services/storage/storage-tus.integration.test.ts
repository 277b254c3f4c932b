import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { startServices } from '../../platform';
import { bytesOf, clientWithKey, PNG_1X1, signInAs, type TestUser } from './storage-test-kit';

/**
 * TUS resumable uploads at /storage/v1/upload/resumable, with tus-js-client (what
 * Supabase documents for resumable uploads) and with a raw client to pin the protocol:
 * creation, PATCH, HEAD, termination, resuming after a dropped connection and after a
 * platform restart.
 */
let platform: TestPlatform;
let alice: TestUser;
let bob: TestUser;

const MB = 1024 * 1024;

beforeAll(async () => {
  platform = await startTestPlatform();
  alice = await signInAs(platform);
  bob = await signInAs(platform);
  await platform.sql.query(`
    create policy "users add to their folder" on storage.objects for insert to authenticated
      with check (bucket_id = 'videos' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy "users read their folder" on storage.objects for select to authenticated
      using (bucket_id = 'videos' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy "users replace in their folder" on storage.objects for update to authenticated
      using (bucket_id = 'videos' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy "signed-in users add tus avatars" on storage.objects for insert to authenticated
      with check (bucket_id = 'tus-avatars');
  `);
  const admin = clientWithKey(platform, 'secret');
  expect((await admin.storage.createBucket('videos', { public: false })).error).toBeNull();
  expect(
    (
      await admin.storage.createBucket('tus-avatars', {
        public: true,
        allowedMimeTypes: ['image/png'],
        fileSizeLimit: '1MB',
      })
    ).error,
  ).toBeNull();
});

afterAll(async () => {
  await platform?.close();
});

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

function b64(value: string) {
  return Buffer.from(value).toString('base64');
}

function metadataHeader(meta: Record<string, string>) {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
}

type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request with a raw client; `body` may be a Buffer or a function that writes into the request. */
function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer | ((req: http.ClientRequest) => void),
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

function auth(user: TestUser) {
  return { Authorization: `Bearer ${user.token}`, apikey: platform.keys.publishableKey };
}

async function createUpload(
  user: TestUser,
  meta: Record<string, string>,
  length: number,
  extra: Record<string, string> = {},
) {
  return request(`${platform.url}/storage/v1/upload/resumable`, 'POST', {
    ...auth(user),
    'Upload-Length': String(length),
    'Upload-Metadata': metadataHeader(meta),
    ...extra,
  });
}

/** Sends `bytes` as a PATCH but destroys the socket after `cutAfter` bytes, as a dropped connection would. */
function patchAndDrop(
  location: string,
  user: TestUser,
  offset: number,
  bytes: Buffer,
  cutAfter: number,
): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(location, {
      method: 'PATCH',
      headers: {
        ...auth(user),
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(bytes.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    const chunk = 256 * 1024;
    let sent = 0;
    const pump = () => {
      while (sent < cutAfter) {
        const part = bytes.subarray(sent, Math.min(sent + chunk, cutAfter));
        sent += part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      // Let the bytes leave, then pull the plug mid-request.
      setTimeout(() => req.destroy(), 100);
    };
    pump();
  });
}

async function storedFile(bucket: string, key: string) {
  const { rows } = await platform.sql.query(
    'select version, metadata, owner_id from storage.objects where bucket_id = $1 and name = $2',
    [bucket, key],
  );
  expect(rows[0]).toBeDefined();
  return { ...rows[0], file: path.join(platform.dataDir, 'storage', bucket, key, rows[0].version) };
}

/**
 * A TCP relay in front of the gateway that kills the first connection carrying a PATCH
 * after `cutAfter` bytes of it went through: the dropped connection tus-js-client must
 * survive.
 */
async function flakyRelay(target: string, cutAfter: number) {
  const { hostname, port } = new URL(target);
  let cut = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    let patchBytes = -1;
    client.on('data', (data: Buffer) => {
      if (!cut && patchBytes < 0 && data.toString('latin1', 0, 6) === 'PATCH ') patchBytes = 0;
      if (!cut && patchBytes >= 0) {
        patchBytes += data.length;
        if (patchBytes > cutAfter) {
          cut = true;
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      upstream.write(data);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    wasCut: () => cut,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function tusUpload(
  endpoint: string,
  user: TestUser,
  data: Buffer,
  meta: Record<string, string>,
  opts: { chunkSize?: number; upsert?: boolean } = {},
) {
  return new Promise<tus.Upload>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `${endpoint}/storage/v1/upload/resumable`,
      retryDelays: [0, 200, 500, 1000],
      headers: { ...auth(user), ...(opts.upsert ? { 'x-upsert': 'true' } : {}) },
      uploadDataDuringCreation: true,
      removeFingerprintOnSuccess: true,
      metadata: meta,
      chunkSize: opts.chunkSize ?? 6 * MB,
      onError: reject,
      onSuccess: () => resolve(upload),
    });
    upload.start();
  });
}

describe('TUS protocol', () => {
  it('answers OPTIONS with the TUS discovery headers', async () => {
    const res = await fetch(`${platform.url}/storage/v1/upload/resumable`, { method: 'OPTIONS' });
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toContain('creation-with-upload');
    expect(res.headers.get('tus-extension')).toContain('termination');
  });

  it('creates, reports, continues and terminates an upload with a raw client', async () => {
    const key = `${alice.id}/raw.bin`;
    const data = bytesOf(3 * MB, 11);
    const created = await createUpload(
      alice,
      { bucketName: 'videos', objectName: key, contentType: 'video/mp4', cacheControl: '120' },
      data.length,
    );
    expect(created.status).toBe(201);
    const location = created.headers.location!;
    expect(location).toMatch(/\/storage\/v1\/upload\/resumable\/[A-Za-z0-9_-]+$/);

    const head0 = await request(location, 'HEAD', auth(alice));
    expect(head0.status).toBe(200);
    expect(head0.headers['upload-offset']).toBe('0');
    expect(head0.headers['upload-length']).toBe(String(data.length));
    expect(head0.headers['cache-control']).toBe('no-store');

    const patch = (offset: number, bytes: Buffer) =>
      request(
        location,
        'PATCH',
        {
          ...auth(alice),
          'Upload-Offset': String(offset),
          'Content-Type': 'application/offset+octet-stream',
        },
        bytes,
      );
    const first = await patch(0, data.subarray(0, MB));
    expect(first.status).toBe(204);
    expect(first.headers['upload-offset']).toBe(String(MB));
    const conflict = await patch(0, data.subarray(0, 10));
    expect(conflict.status).toBe(409);

    const wrongUser = await request(
      location,
      'PATCH',
      {
        ...auth(bob),
        'Upload-Offset': String(MB),
        'Content-Type': 'application/offset+octet-stream',
      },
      Buffer.from('x'),
    );
    expect(wrongUser.status).toBe(403);

    const last = await patch(MB, data.subarray(MB));
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe(String(data.length));
    const stored = await storedFile('videos', key);
    expect(sha256(fs.readFileSync(stored.file))).toBe(sha256(data));
    expect(stored.metadata).toMatchObject({
      mimetype: 'video/mp4',
      cacheControl: 'max-age=120',
      size: data.length,
    });
    expect(stored.owner_id).toBe(alice.id);
    expect((await request(location, 'HEAD', auth(alice))).status).toBe(404);

    const again = await createUpload(alice, { bucketName: 'videos', objectName: key }, 10);
    expect(again.status).toBe(409);

    const doomed = await createUpload(
      alice,
      { bucketName: 'videos', objectName: `${alice.id}/doomed.bin` },
      100,
    );
    expect((await request(doomed.headers.location!, 'DELETE', auth(alice))).status).toBe(204);
    expect((await request(doomed.headers.location!, 'HEAD', auth(alice))).status).toBe(404);
  });

  it('applies storage policies, bucket limits and content checks', async () => {
    const intrude = await createUpload(bob, { bucketName: 'videos', objectName: `${alice.id}/x.bin` }, 10);
    expect(intrude.status).toBe(403);
    expect(intrude.body).toBe('new row violates row-level security policy');

    const tooBig = await createUpload(
      alice,
      { bucketName: 'tus-avatars', objectName: 'a.png', contentType: 'image/png' },
      2 * MB,
    );
    expect(tooBig.status).toBe(413);
    const wrongType = await createUpload(
      alice,
      { bucketName: 'tus-avatars', objectName: 'a.txt', contentType: 'text/plain' },
      10,
    );
    expect(wrongType.status, wrongType.body).toBe(415);

    // Declared a PNG, sends text: refused once the first bytes are in.
    const text = Buffer.from('definitely not a png image');
    const fake = await request(
      `${platform.url}/storage/v1/upload/resumable`,
      'POST',
      {
        ...auth(alice),
        'Upload-Length': String(text.length),
        'Upload-Metadata': metadataHeader({
          bucketName: 'tus-avatars',
          objectName: 'fake.png',
          contentType: 'image/png',
        }),
        'Content-Type': 'application/offset+octet-stream',
      },
      text,
    );
    // creation-with-upload: the body came with the POST.
    expect(fake.status, fake.body).toBe(415);

    const ok = await createUpload(
      alice,
      { bucketName: 'tus-avatars', objectName: 'ok.png', contentType: 'image/png' },
      PNG_1X1.length,
    );
    const done = await request(
      ok.headers.location!,
      'PATCH',
      { ...auth(alice), 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      PNG_1X1,
    );
    expect(done.status).toBe(204);
    const pub = await fetch(
      clientWithKey(platform, 'publishable').storage.from('tus-avatars').getPublicUrl('ok.png').data
        .publicUrl,
    );
    expect(Buffer.from(await pub.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it('uploads with tus-js-client in chunks, and replaces with x-upsert', async () => {
    const key = `${alice.id}/clip.mp4`;
    const data = bytesOf(13 * MB, 5);
    await tusUpload(platform.url, alice, data, {
      bucketName: 'videos',
      objectName: key,
      contentType: 'video/mp4',
      metadata: JSON.stringify({ unit: '3-101' }),
    });
    const down = await alice.client.storage.from('videos').download(key);
    expect(sha256(Buffer.from(await down.data!.arrayBuffer()))).toBe(sha256(data));
    expect((await alice.client.storage.from('videos').info(key)).data?.metadata).toEqual({ unit: '3-101' });

    const replacement = bytesOf(2 * MB, 6);
    await expect(
      tusUpload(platform.url, alice, replacement, { bucketName: 'videos', objectName: key }),
    ).rejects.toThrow(/409/);
    await tusUpload(
      platform.url,
      alice,
      replacement,
      { bucketName: 'videos', objectName: key },
      { upsert: true },
    );
    expect(sha256(fs.readFileSync((await storedFile('videos', key)).file))).toBe(sha256(replacement));
  });
});

describe('resuming', () => {
  it('resumes a 100 MB upload after the connection drops mid-PATCH (raw client: HEAD, then continue)', async () => {
    const key = `${alice.id}/walkthrough-100mb.mp4`;
    const data = bytesOf(100 * MB, 42);
    const created = await createUpload(
      alice,
      { bucketName: 'videos', objectName: key, contentType: 'video/mp4' },
      data.length,
    );
    expect(created.status).toBe(201);
    const location = created.headers.location!;

    await patchAndDrop(location, alice, 0, data, 45 * MB);
    const head = await request(location, 'HEAD', auth(alice));
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(45 * MB);

    const rest = await request(
      location,
      'PATCH',
      { ...auth(alice), 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      data.subarray(offset),
    );
    expect(rest.status).toBe(204);
    expect(rest.headers['upload-offset']).toBe(String(data.length));
    const stored = await storedFile('videos', key);
    expect(sha256(fs.readFileSync(stored.file))).toBe(sha256(data));
  }, 120_000);

  it('resumes a 100 MB tus-js-client upload through a connection that is cut mid-PATCH', async () => {
    const relay = await flakyRelay(platform.url, 30 * MB);
    try {
      const key = `${alice.id}/drone-100mb.mp4`;
      const data = bytesOf(100 * MB, 43);
      await tusUpload(
        relay.url,
        alice,
        data,
        { bucketName: 'videos', objectName: key, contentType: 'video/mp4' },
        { chunkSize: 50 * MB },
      );
      expect(relay.wasCut()).toBe(true);
      const stored = await storedFile('videos', key);
      expect(sha256(fs.readFileSync(stored.file))).toBe(sha256(data));
      expect(fs.readdirSync(path.join(platform.dataDir, 'storage-tus'))).toEqual([]);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('keeps a partial upload across a platform restart', async () => {
    // Its own platform process on the same database and a data folder of its own, stopped and started again.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wuye-storage-restart-'));
    const start = () =>
      startServices({
        keys: platform.keys,
        databaseUrl: platform.databaseUrl,
        dataDir,
        host: '127.0.0.1',
        port: 0,
        local: true,
      });
    try {
      const key = `${alice.id}/restart.bin`;
      const data = bytesOf(4 * MB, 9);
      const first = await start();
      const created = await request(`${first.gateway.url}/storage/v1/upload/resumable`, 'POST', {
        ...auth(alice),
        'Upload-Length': String(data.length),
        'Upload-Metadata': metadataHeader({ bucketName: 'videos', objectName: key }),
      });
      const id = created.headers.location!.split('/').pop();
      const part = await request(
        created.headers.location!,
        'PATCH',
        { ...auth(alice), 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
        data.subarray(0, 3 * MB),
      );
      expect(part.status).toBe(204);
      await first.close();

      const second = await start();
      try {
        const location = `${second.gateway.url}/storage/v1/upload/resumable/${id}`;
        const head = await request(location, 'HEAD', auth(alice));
        expect(head.headers['upload-offset']).toBe(String(3 * MB));
        const rest = await request(
          location,
          'PATCH',
          {
            ...auth(alice),
            'Upload-Offset': String(3 * MB),
            'Content-Type': 'application/offset+octet-stream',
          },
          data.subarray(3 * MB),
        );
        expect(rest.status).toBe(204);
        const { rows } = await platform.sql.query('select version from storage.objects where name = $1', [
          key,
        ]);
        expect(sha256(fs.readFileSync(path.join(dataDir, 'storage', 'videos', key, rows[0].version)))).toBe(
          sha256(data),
        );
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
