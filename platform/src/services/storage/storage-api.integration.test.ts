import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../../tests/support/platform';
import { bytesOf, clientWithKey, PNG_1X1, signInAs, type TestUser } from './storage-test-kit';

/**
 * Conformance of the local Storage service with the real supabase-js client: buckets,
 * uploads (multipart and raw), limits, RLS through storage policies, signed URLs,
 * list, remove/move/copy. Each file gets a fresh database and data folder.
 */
let platform: TestPlatform;
let admin: SupabaseClient;
let alice: TestUser;
let bob: TestUser;

/** Policies as a hosted project would write them: each user owns the folder named after their id. */
const POLICIES = `
  create policy "users read their folder" on storage.objects for select to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = (select auth.uid())::text);
  create policy "users add to their folder" on storage.objects for insert to authenticated
    with check (bucket_id = 'homes' and (storage.foldername(name))[1] = (select auth.uid())::text);
  create policy "users change their folder" on storage.objects for update to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = (select auth.uid())::text)
    with check (bucket_id = 'homes' and (storage.foldername(name))[1] = (select auth.uid())::text);
  create policy "users delete from their folder" on storage.objects for delete to authenticated
    using (bucket_id = 'homes' and (storage.foldername(name))[1] = (select auth.uid())::text);
  create policy "signed-in users use the inbox" on storage.objects for all to authenticated
    using (bucket_id in ('inbox', 'photos', 'docs')) with check (bucket_id in ('inbox', 'photos', 'docs'));
  create policy "anyone reads the notice board" on storage.objects for select to anon, authenticated
    using (bucket_id = 'notices');
`;

function versionsOnDisk(bucket: string, key: string): string[] {
  const dir = path.join(platform.dataDir, 'storage', bucket, key);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = clientWithKey(platform, 'secret');
  alice = await signInAs(platform);
  bob = await signInAs(platform);
  await platform.sql.query(POLICIES);
  const buckets: [string, { public: boolean; allowedMimeTypes?: string[]; fileSizeLimit?: string }][] = [
    ['homes', { public: false }],
    ['inbox', { public: false }],
    ['notices', { public: true }],
    ['photos', { public: false, allowedMimeTypes: ['image/png', 'image/jpeg'], fileSizeLimit: '1KB' }],
    ['docs', { public: false, allowedMimeTypes: ['application/pdf', 'text/*'] }],
  ];
  for (const [id, opts] of buckets) {
    const { error } = await admin.storage.createBucket(id, opts);
    expect(error).toBeNull();
  }
});

afterAll(async () => {
  await platform?.close();
});

describe('buckets', () => {
  it('creates, reads, updates, empties and deletes buckets with the service role', async () => {
    const created = await admin.storage.createBucket('scratch', { public: false, fileSizeLimit: 2048 });
    expect(created).toEqual({ data: { name: 'scratch' }, error: null });

    const dup = await admin.storage.createBucket('scratch');
    expect(dup.error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });

    const got = await admin.storage.getBucket('scratch');
    expect(got.data).toMatchObject({
      id: 'scratch',
      name: 'scratch',
      public: false,
      file_size_limit: 2048,
      type: 'STANDARD',
    });

    const list = await admin.storage.listBuckets();
    expect(list.data?.map((b) => b.id)).toEqual(expect.arrayContaining(['scratch', 'homes', 'notices']));

    const upd = await admin.storage.updateBucket('scratch', {
      public: true,
      allowedMimeTypes: ['text/plain'],
    });
    expect(upd).toEqual({ data: { message: 'Successfully updated' }, error: null });
    expect((await admin.storage.getBucket('scratch')).data).toMatchObject({
      public: true,
      allowed_mime_types: ['text/plain'],
    });

    await admin.storage.from('scratch').upload('a/b.txt', 'hello', { contentType: 'text/plain' });
    const notEmpty = await admin.storage.deleteBucket('scratch');
    expect(notEmpty.error).toMatchObject({ statusCode: '409' });

    expect((await admin.storage.emptyBucket('scratch')).error).toBeNull();
    expect((await admin.storage.deleteBucket('scratch')).data).toEqual({ message: 'Successfully deleted' });
    expect(fs.existsSync(path.join(platform.dataDir, 'storage', 'scratch'))).toBe(false);

    const missing = await admin.storage.getBucket('scratch');
    expect(missing.error).toMatchObject({ status: 400, statusCode: '404', code: 'NoSuchBucket' });
  });

  it('refuses bucket changes to a signed-in user without a bucket policy', async () => {
    const { error } = await alice.client.storage.createBucket('mine');
    expect(error).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
    expect((await alice.client.storage.listBuckets()).data).toEqual([]);
  });
});

describe('uploads', () => {
  it('takes a Blob as multipart form and a Buffer as a raw body, and gives the bytes back', async () => {
    const key = `${alice.id}/notes/hello.txt`;
    const blob = new Blob(['你好, storage'], { type: 'text/plain;charset=UTF-8' });
    const up = await alice.client.storage.from('homes').upload(key, blob, { metadata: { room: '3-101' } });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: key, fullPath: `homes/${key}` });
    expect(up.data?.id).toMatch(/^[0-9a-f-]{36}$/);

    const down = await alice.client.storage.from('homes').download(key);
    expect(await down.data?.text()).toBe('你好, storage');
    // The part's type without parameters, as hosted's multipart parser reports it.
    expect(down.data?.type).toBe('text/plain');

    const raw = bytesOf(300_000, 7);
    const rawKey = `${alice.id}/scan.bin`;
    const up2 = await alice.client.storage.from('homes').upload(rawKey, raw, {
      contentType: 'application/octet-stream',
      cacheControl: '60',
      metadata: { kind: 'scan' },
    });
    expect(up2.error).toBeNull();
    const back = await alice.client.storage.from('homes').download(rawKey);
    expect(Buffer.from(await back.data!.arrayBuffer()).equals(raw)).toBe(true);

    const info = await alice.client.storage.from('homes').info(rawKey);
    expect(info.data).toMatchObject({
      name: rawKey,
      bucketId: 'homes',
      size: 300_000,
      contentType: 'application/octet-stream',
      cacheControl: 'max-age=60',
      metadata: { kind: 'scan' },
    });
    expect((await alice.client.storage.from('homes').info(key)).data?.metadata).toEqual({ room: '3-101' });

    const { rows } = await platform.sql.query('select owner, owner_id from storage.objects where name = $1', [
      rawKey,
    ]);
    expect(rows[0]).toEqual({ owner: alice.id, owner_id: alice.id });
  });

  it('round-trips keys with spaces and punctuation through upload, list, download and signed URLs', async () => {
    const key = `${alice.id}/repair photos/door (1) & co=ok.txt`;
    const bucket = alice.client.storage.from('homes');
    expect((await bucket.upload(key, 'odd name', { contentType: 'text/plain' })).error).toBeNull();
    expect(await (await bucket.download(key)).data?.text()).toBe('odd name');
    expect((await bucket.list(`${alice.id}/repair photos`)).data?.map((e) => e.name)).toEqual([
      'door (1) & co=ok.txt',
    ]);
    const signed = await bucket.createSignedUrl(key, 60);
    expect(await (await fetch(signed.data!.signedUrl)).text()).toBe('odd name');
  });

  it('refuses a duplicate without upsert, replaces with upsert and update', async () => {
    const key = `${alice.id}/dup.txt`;
    const bucket = alice.client.storage.from('homes');
    expect((await bucket.upload(key, 'one', { contentType: 'text/plain' })).error).toBeNull();
    const dup = await bucket.upload(key, 'two', { contentType: 'text/plain' });
    expect(dup.error).toMatchObject({
      status: 400,
      statusCode: '409',
      code: 'KeyAlreadyExists',
      message: 'The resource already exists',
    });
    expect(await (await bucket.download(key)).data?.text()).toBe('one');

    expect((await bucket.upload(key, 'three', { contentType: 'text/plain', upsert: true })).error).toBeNull();
    expect(await (await bucket.download(key)).data?.text()).toBe('three');
    expect((await bucket.update(key, new Blob(['four']))).error).toBeNull();
    expect(await (await bucket.download(key)).data?.text()).toBe('four');
    // Old versions are removed from disk once replaced.
    expect(versionsOnDisk('homes', key)).toHaveLength(1);
  });

  it('enforces the bucket size limit while streaming', async () => {
    const photos = alice.client.storage.from('photos');
    const small = Buffer.concat([PNG_1X1, Buffer.alloc(100)]);
    expect((await photos.upload('ok.png', small, { contentType: 'image/png' })).error).toBeNull();
    const big = Buffer.concat([PNG_1X1, bytesOf(2000)]);
    const tooBig = await photos.upload('big.png', big, { contentType: 'image/png' });
    expect(tooBig.error).toMatchObject({ statusCode: '413', code: 'EntityTooLarge' });
    const asBlob = await photos.upload('big2.png', new Blob([big], { type: 'image/png' }));
    expect(asBlob.error).toMatchObject({ statusCode: '413', code: 'EntityTooLarge' });
    // Several megabytes over the limit: refused without storing, and the client still gets the answer.
    const huge = await photos.upload('huge.png', Buffer.concat([PNG_1X1, bytesOf(8 * 1024 * 1024)]), {
      contentType: 'image/png',
    });
    expect(huge.error).toMatchObject({ statusCode: '413' });
    expect(fs.readdirSync(path.join(platform.dataDir, 'storage-tmp'))).toEqual([]);
    expect((await photos.exists('big.png')).data).toBe(false);
  });

  it('checks the content type against allowed_mime_types by the bytes, not only the header', async () => {
    const photos = alice.client.storage.from('photos');
    const fakePng = await photos.upload('fake.png', Buffer.from('just some text, not an image'), {
      contentType: 'image/png',
    });
    expect(fakePng.error).toMatchObject({ statusCode: '415', code: 'InvalidMimeType' });
    const fakeBlob = await photos.upload(
      'fake2.png',
      new Blob(['<svg onload=alert(1)>'], { type: 'image/png' }),
    );
    expect(fakeBlob.error).toMatchObject({ statusCode: '415', code: 'InvalidMimeType' });
    const wrongHeader = await photos.upload('t.txt', 'hello', { contentType: 'text/plain' });
    expect(wrongHeader.error).toMatchObject({
      statusCode: '415',
      message: 'mime type text/plain is not supported',
    });
    const jpegAsPng = await photos.upload(
      'j.png',
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]),
      {
        contentType: 'image/png',
      },
    );
    expect(jpegAsPng.error).toMatchObject({ code: 'InvalidMimeType' });
    expect((await photos.upload('real.png', PNG_1X1, { contentType: 'image/png' })).error).toBeNull();

    const docs = alice.client.storage.from('docs');
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
    expect((await docs.upload('a.pdf', pdf, { contentType: 'application/pdf' })).error).toBeNull();
    expect((await docs.upload('a.csv', 'a,b\n1,2\n', { contentType: 'text/csv' })).error).toBeNull();
    const pngAsText = await docs.upload('p.txt', PNG_1X1, { contentType: 'text/plain' });
    expect(pngAsText.error).toMatchObject({ code: 'InvalidMimeType' });
  });

  it('refuses keys that are not S3-safe or would leave the bucket folder', async () => {
    for (const key of ['résumé.pdf', 'quote"d.txt', 'percent%.txt', 'curly{}.txt']) {
      const { error } = await admin.storage.from('inbox').upload(key, 'x', { contentType: 'text/plain' });
      expect(error, key).toMatchObject({ statusCode: '400', code: 'InvalidKey' });
    }
    // fetch normalises `..` away; a raw request keeps it, and the server refuses it.
    for (const raw of [
      '/inbox/../../escape.txt',
      '/inbox/a/..%2F..%2F..%2Fescape.txt',
      '/..%2Fescape/x.txt',
    ]) {
      const status = await new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(platform.url);
        const req = http.request(
          {
            hostname,
            port,
            path: `/storage/v1/object${raw}`,
            method: 'POST',
            headers: { apikey: platform.keys.secretKey, 'content-type': 'text/plain' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('x');
      });
      expect(status, raw).toBe(400);
    }
    expect(fs.existsSync(path.join(platform.dataDir, 'escape.txt'))).toBe(false);
    expect(fs.existsSync(path.join(platform.dataDir, 'storage', 'escape.txt'))).toBe(false);
  });

  it('answers image transformation with a clear 501', async () => {
    await admin.storage.from('inbox').upload('pic.png', PNG_1X1, { contentType: 'image/png' });
    const { error } = await admin.storage.from('inbox').download('pic.png', { transform: { width: 10 } });
    expect(error).toMatchObject({ status: 501, statusCode: '501' });
  });
});

describe('row-level security through storage policies', () => {
  it('lets a user write only their own folder and read only their own files', async () => {
    const homes = (u: TestUser) => u.client.storage.from('homes');
    expect(
      (await homes(alice).upload(`${alice.id}/private.txt`, 'alice only', { contentType: 'text/plain' }))
        .error,
    ).toBeNull();

    const intrude = await homes(bob).upload(`${alice.id}/planted.txt`, 'bob', { contentType: 'text/plain' });
    expect(intrude.error).toMatchObject({
      status: 400,
      statusCode: '403',
      code: 'AccessDenied',
      message: 'new row violates row-level security policy',
    });

    const peek = await homes(bob).download(`${alice.id}/private.txt`);
    expect(peek.error).toMatchObject({ statusCode: '404', code: 'NoSuchKey' });
    expect((await homes(bob).exists(`${alice.id}/private.txt`)).data).toBe(false);
    expect((await homes(alice).exists(`${alice.id}/private.txt`)).data).toBe(true);

    const anon = clientWithKey(platform, 'publishable').storage.from('homes');
    expect((await anon.download(`${alice.id}/private.txt`)).error).toMatchObject({ code: 'NoSuchKey' });
    expect((await anon.upload('x.txt', 'x', { contentType: 'text/plain' })).error).toMatchObject({
      code: 'AccessDenied',
    });

    // Nor can Bob change or remove it.
    const overwrite = await homes(bob).upload(`${alice.id}/private.txt`, 'bob', {
      contentType: 'text/plain',
      upsert: true,
    });
    expect(overwrite.error).toMatchObject({ statusCode: '403' });
    expect((await homes(bob).remove([`${alice.id}/private.txt`])).data).toEqual([]);
    expect(await (await homes(alice).download(`${alice.id}/private.txt`)).data?.text()).toBe('alice only');
  });

  it('lists only what the caller may see, folders included', async () => {
    await homes(bob).upload(`${bob.id}/docs/lease.txt`, 'lease', { contentType: 'text/plain' });
    await homes(bob).upload(`${bob.id}/photo.txt`, 'p', { contentType: 'text/plain' });

    const bobRoot = await homes(bob).list();
    expect(bobRoot.data).toEqual([
      { name: bob.id, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null },
    ]);
    const bobHome = await homes(bob).list(bob.id);
    expect(bobHome.data?.map((e) => [e.name, e.id === null])).toEqual([
      ['docs', true],
      ['photo.txt', false],
    ]);
    expect(bobHome.data?.[1].metadata).toMatchObject({
      size: 1,
      mimetype: 'text/plain',
      eTag: expect.any(String),
    });
    expect((await homes(bob).list(alice.id)).data).toEqual([]);
    expect((await homes(alice).list(bob.id)).data).toEqual([]);

    const all = await admin.storage.from('homes').list();
    expect(all.data?.map((e) => e.name).sort()).toEqual([alice.id, bob.id].sort());

    const searched = await homes(bob).list(bob.id, { search: 'PHO' });
    expect(searched.data?.map((e) => e.name)).toEqual(['photo.txt']);
    const paged = await homes(bob).list(bob.id, { limit: 1, offset: 1 });
    expect(paged.data?.map((e) => e.name)).toEqual(['photo.txt']);
    const byTime = await homes(bob).list(bob.id, { sortBy: { column: 'created_at', order: 'desc' } });
    expect(byTime.data?.map((e) => e.name)).toEqual(['docs', 'photo.txt']);

    const v2 = await homes(bob).listV2({ prefix: `${bob.id}/`, with_delimiter: true });
    expect(v2.data).toMatchObject({
      hasNext: false,
      folders: [{ name: `${bob.id}/docs/` }],
      objects: [{ name: `${bob.id}/photo.txt` }],
    });
    const flat = await admin.storage.from('homes').listV2({ prefix: `${bob.id}/`, limit: 1 });
    expect(flat.data?.objects.map((o) => o.name)).toEqual([`${bob.id}/docs/lease.txt`]);
    expect(flat.data?.hasNext).toBe(true);
    const next = await admin.storage
      .from('homes')
      .listV2({ prefix: `${bob.id}/`, limit: 1, cursor: flat.data?.nextCursor });
    expect(next.data?.objects.map((o) => o.name)).toEqual([`${bob.id}/photo.txt`]);
    expect(next.data?.hasNext).toBe(false);
  });

  function homes(u: TestUser) {
    return u.client.storage.from('homes');
  }
});

describe('persona × operation matrix on a private folder', () => {
  type Persona = 'owner' | 'other user' | 'anonymous' | 'service role';
  const personas: Persona[] = ['owner', 'other user', 'anonymous', 'service role'];
  const clientOf = (p: Persona): SupabaseClient =>
    p === 'owner'
      ? alice.client
      : p === 'other user'
        ? bob.client
        : p === 'anonymous'
          ? clientWithKey(platform, 'publishable')
          : admin;
  const allowed = (p: Persona) => p === 'owner' || p === 'service role';
  let n = 0;
  /** A fresh object in Alice's folder, put there by the service role. */
  async function seed() {
    const key = `${alice.id}/matrix/${n++}.txt`;
    expect(
      (await admin.storage.from('homes').upload(key, 'seed', { contentType: 'text/plain' })).error,
    ).toBeNull();
    return key;
  }
  const stillThere = async (key: string) => (await admin.storage.from('homes').exists(key)).data;

  it.each(personas)('upload into the folder: %s', async (p) => {
    const { error } = await clientOf(p)
      .storage.from('homes')
      .upload(`${alice.id}/matrix/new-${n++}.txt`, 'x', { contentType: 'text/plain' });
    if (allowed(p)) expect(error).toBeNull();
    else expect(error).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
  });

  it.each(personas)('download, info and sign: %s', async (p) => {
    const key = await seed();
    const bucket = clientOf(p).storage.from('homes');
    const down = await bucket.download(key);
    const signed = await bucket.createSignedUrl(key, 60);
    if (allowed(p)) {
      expect(await down.data?.text()).toBe('seed');
      expect((await bucket.info(key)).data?.name).toBe(key);
      expect(signed.error).toBeNull();
    } else {
      expect(down.error).toMatchObject({ code: 'NoSuchKey' });
      expect((await bucket.exists(key)).data).toBe(false);
      expect(signed.error).toMatchObject({ code: 'NoSuchKey' });
    }
  });

  it.each(personas)('list the folder: %s', async (p) => {
    const key = await seed();
    const { data } = await clientOf(p).storage.from('homes').list(`${alice.id}/matrix`);
    expect(data?.some((e) => `${alice.id}/matrix/${e.name}` === key)).toBe(allowed(p));
  });

  it.each(personas)('replace (upsert) and update: %s', async (p) => {
    const key = await seed();
    const bucket = clientOf(p).storage.from('homes');
    const upsert = await bucket.upload(key, 'changed', { contentType: 'text/plain', upsert: true });
    const update = await bucket.update(key, Buffer.from('updated'), { contentType: 'text/plain' });
    if (allowed(p)) {
      expect(upsert.error).toBeNull();
      expect(update.error).toBeNull();
    } else {
      expect(upsert.error).toMatchObject({ statusCode: '403' });
      expect(update.error).toMatchObject({ statusCode: '403' });
    }
    const content = await (await admin.storage.from('homes').download(key)).data?.text();
    expect(content).toBe(allowed(p) ? 'updated' : 'seed');
  });

  it.each(personas)('remove: %s', async (p) => {
    const key = await seed();
    const { data } = await clientOf(p).storage.from('homes').remove([key]);
    expect(data?.map((o) => o.name)).toEqual(allowed(p) ? [key] : []);
    expect(await stillThere(key)).toBe(!allowed(p));
  });

  it.each(personas)('move within the folder: %s', async (p) => {
    const key = await seed();
    const { error } = await clientOf(p).storage.from('homes').move(key, `${key}.moved`);
    if (allowed(p)) expect(error).toBeNull();
    else expect(error).toMatchObject({ code: 'NoSuchKey' });
    expect(await stillThere(key)).toBe(!allowed(p));
  });
});

describe('signed and public URLs', () => {
  it('serves a signed URL without auth until it expires', async () => {
    const key = `${alice.id}/signed.txt`;
    await alice.client.storage.from('homes').upload(key, 'signed content', { contentType: 'text/plain' });

    const denied = await bob.client.storage.from('homes').createSignedUrl(key, 60);
    expect(denied.error).toMatchObject({ code: 'NoSuchKey' });

    const { data, error } = await alice.client.storage
      .from('homes')
      .createSignedUrl(key, 2, { download: 'lease.txt' });
    expect(error).toBeNull();
    const res = await fetch(data!.signedUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('signed content');
    expect(res.headers.get('content-disposition')).toBe(
      "attachment; filename=lease.txt; filename*=UTF-8''lease.txt",
    );

    const token = new URL(data!.signedUrl).searchParams.get('token');
    const other = await fetch(
      `${platform.url}/storage/v1/object/sign/homes/${bob.id}/photo.txt?token=${token}`,
    );
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });

    await new Promise((r) => setTimeout(r, 3100));
    const expired = await fetch(data!.signedUrl);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({
      statusCode: '400',
      code: 'InvalidJWT',
      message: 'jwt expired',
    });
  });

  it('signs many paths, with an error entry for the ones the caller cannot read', async () => {
    const key = `${alice.id}/batch.txt`;
    await alice.client.storage.from('homes').upload(key, 'b', { contentType: 'text/plain' });
    const { data } = await alice.client.storage
      .from('homes')
      .createSignedUrls([key, `${bob.id}/photo.txt`], 60);
    expect(data?.[0]).toMatchObject({
      error: null,
      path: key,
      signedUrl: expect.stringContaining('/object/sign/homes/'),
    });
    expect(data?.[1]).toMatchObject({
      error: 'Either the object does not exist or you do not have access to it',
      signedURL: null,
      signedUrl: null,
    });
    expect(await (await fetch(data![0].signedUrl!)).text()).toBe('b');
  });

  it('uploads to a signed upload URL without a session, on behalf of the signer', async () => {
    const key = `${alice.id}/via-signed.txt`;
    const signed = await alice.client.storage.from('homes').createSignedUploadUrl(key);
    expect(signed.error).toBeNull();
    const refused = await bob.client.storage.from('homes').createSignedUploadUrl(`${alice.id}/bob.txt`);
    expect(refused.error).toMatchObject({ statusCode: '403' });

    const anon = clientWithKey(platform, 'publishable').storage.from('homes');
    const put = await anon.uploadToSignedUrl(
      key,
      signed.data!.token,
      new Blob(['from a signed url'], { type: 'text/plain' }),
    );
    expect(put.error).toBeNull();
    expect(put.data).toMatchObject({ path: key, fullPath: `homes/${key}` });
    expect(await (await alice.client.storage.from('homes').download(key)).data?.text()).toBe(
      'from a signed url',
    );
    const { rows } = await platform.sql.query('select owner_id from storage.objects where name = $1', [key]);
    expect(rows[0].owner_id).toBe(alice.id);

    const again = await anon.uploadToSignedUrl(key, signed.data!.token, Buffer.from('again'));
    expect(again.error).toMatchObject({ code: 'KeyAlreadyExists' });
    const elsewhere = await anon.uploadToSignedUrl(
      `${alice.id}/other.txt`,
      signed.data!.token,
      Buffer.from('x'),
    );
    expect(elsewhere.error).toMatchObject({ code: 'InvalidSignature' });
  });

  it('serves public buckets without auth, supports Range and download names', async () => {
    const notices = admin.storage.from('notices');
    const body = bytesOf(10_000, 3);
    await notices.upload('2026/water-outage.bin', body, { contentType: 'application/octet-stream' });
    const url = notices.getPublicUrl('2026/water-outage.bin').data.publicUrl;
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('cache-control')).toBe('max-age=3600');
    expect(full.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Buffer.from(await full.arrayBuffer()).equals(body)).toBe(true);

    const part = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { Range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(9990))).toBe(true);
    expect((await fetch(url, { headers: { Range: 'bytes=20000-' } })).status).toBe(416);

    const attach = await fetch(
      notices.getPublicUrl('2026/water-outage.bin', { download: true }).data.publicUrl,
    );
    expect(attach.headers.get('content-disposition')).toBe('attachment;');
    await attach.arrayBuffer();

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('10000');

    const privateUrl = admin.storage.from('homes').getPublicUrl(`${alice.id}/private.txt`).data.publicUrl;
    const denied = await fetch(privateUrl);
    expect(denied.status).toBe(400);
    expect(await denied.json()).toMatchObject({ statusCode: '404', code: 'NoSuchBucket' });
  });
});

describe('remove, move and copy', () => {
  it('moves and copies within the caller’s permissions', async () => {
    const bucket = alice.client.storage.from('homes');
    await bucket.upload(`${alice.id}/draft.txt`, 'draft', { contentType: 'text/plain' });

    const moved = await bucket.move(`${alice.id}/draft.txt`, `${alice.id}/final/notice.txt`);
    expect(moved).toEqual({ data: { message: 'Successfully moved' }, error: null });
    expect((await bucket.exists(`${alice.id}/draft.txt`)).data).toBe(false);
    expect(versionsOnDisk('homes', `${alice.id}/draft.txt`)).toEqual([]);
    expect(await (await bucket.download(`${alice.id}/final/notice.txt`)).data?.text()).toBe('draft');

    const stolen = await bob.client.storage
      .from('homes')
      .move(`${alice.id}/final/notice.txt`, `${bob.id}/mine.txt`);
    expect(stolen.error).toMatchObject({ code: 'NoSuchKey' });
    const pushed = await bucket.move(`${alice.id}/final/notice.txt`, `${bob.id}/gift.txt`);
    expect(pushed.error).toMatchObject({ statusCode: '403', code: 'AccessDenied' });

    const copied = await bucket.copy(`${alice.id}/final/notice.txt`, `${alice.id}/copy.txt`);
    expect(copied).toEqual({ data: { path: `homes/${alice.id}/copy.txt` }, error: null });
    expect(await (await bucket.download(`${alice.id}/copy.txt`)).data?.text()).toBe('draft');
    const again = await bucket.copy(`${alice.id}/final/notice.txt`, `${alice.id}/copy.txt`);
    expect(again.error).toMatchObject({ code: 'KeyAlreadyExists' });

    const across = await admin.storage
      .from('homes')
      .copy(`${alice.id}/copy.txt`, 'archive/copy.txt', { destinationBucket: 'inbox' });
    expect(across.data).toEqual({ path: 'inbox/archive/copy.txt' });
    expect(await (await admin.storage.from('inbox').download('archive/copy.txt')).data?.text()).toBe('draft');
  });

  it('removes in batches and returns what was removed', async () => {
    const bucket = alice.client.storage.from('homes');
    const keys = [`${alice.id}/rm/1.txt`, `${alice.id}/rm/2.txt`];
    for (const k of keys) await bucket.upload(k, k, { contentType: 'text/plain' });
    const removed = await bucket.remove([...keys, `${alice.id}/rm/missing.txt`]);
    expect(removed.error).toBeNull();
    expect(removed.data?.map((o) => o.name).sort()).toEqual(keys);
    for (const k of keys) expect(versionsOnDisk('homes', k)).toEqual([]);
    expect(fs.existsSync(path.join(platform.dataDir, 'storage', 'homes', alice.id, 'rm'))).toBe(false);
  });

  it('blocks direct deletes from storage tables, as hosted does', async () => {
    await expect(platform.sql.query(`delete from storage.objects where bucket_id = 'inbox'`)).rejects.toThrow(
      /Direct deletion from storage tables is not allowed/,
    );
  });
});
