import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { importJWK, jwtVerify } from 'jose';

/**
 * A local Web Push service (the role FCM / Mozilla autopush / Apple play) that speaks the real
 * wire format, for tests:
 *   - it hands out browser-side subscriptions (P-256 key pair + 16-byte auth secret, endpoint
 *     `https://127.0.0.1:<port>/push/<id>`), as PushManager.subscribe() would;
 *   - on `POST /push/<id>` it checks the VAPID header (RFC 8292: `vapid t=<ES256 JWT>, k=<key>`,
 *     signature, `aud` = the endpoint's origin, `exp` within 24 h, a `sub` contact) and decrypts
 *     the aes128gcm body (RFC 8291 + RFC 8188) with the subscription's private key;
 *   - accepted messages answer 201; a subscription marked gone answers 410; a bad request 400/401.
 * It serves HTTPS (web-push only speaks https) with a throwaway CA: pass `caFile` to the client
 * (DENO_CERT for the Deno functions, `ca` for Node).
 */

export type FakeSubscription = {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
};

export type ReceivedPush = {
  subscriptionId: string;
  payload: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  vapidPublicKey: string;
  claims: { aud: string; exp: number; sub: string };
};

export type RejectedPush = { subscriptionId: string; status: number; reason: string };

export type PushFake = {
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  subscribe: () => FakeSubscription;
  /** Makes the push service answer 410 Gone for this subscription from now on. */
  markGone: (subscriptionId: string) => void;
  received: ReceivedPush[];
  rejected: RejectedPush[];
  waitFor: (n: number, timeoutMs?: number) => Promise<ReceivedPush[]>;
  close: () => Promise<void>;
};

const b64url = (buf: Buffer) => buf.toString('base64url');

/** A CA and a server certificate for 127.0.0.1 signed by it (rustls refuses a self-signed leaf). */
function makeCertificates(dir: string): { key: string; cert: string; ca: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=wuye test push CA',
  ]);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n',
  );
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { key: read('server.key'), cert: read('server.pem'), ca: read('ca.pem') };
}

const hmac = (key: Buffer, data: Buffer) => crypto.createHmac('sha256', key).update(data).digest();

/** RFC 8291 decryption of a single-record aes128gcm body. */
export function decryptAes128gcm(body: Buffer, ua: crypto.ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid must be the 65-byte sender key, got ${idlen}`);
  if (record.length > rs) throw new Error('more than one record');
  const shared = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = hmac(hmac(authSecret, shared), Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('the last record must end with the 0x02 delimiter');
  return plain.subarray(0, end).toString('utf8');
}

async function verifyVapid(header: string | undefined, audience: string) {
  const m = /^vapid\s+t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`Authorization must be "vapid t=…, k=…", got ${JSON.stringify(header)}`);
  const [, token, k] = m;
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k must be an uncompressed P-256 point');
  const key = await importJWK(
    { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) },
    'ES256',
  );
  const { payload, protectedHeader } = await jwtVerify(token, key, { audience, algorithms: ['ES256'] });
  if (protectedHeader.typ && protectedHeader.typ !== 'JWT') throw new Error('typ must be JWT');
  const exp = Number(payload.exp);
  if (!(exp > Date.now() / 1000 && exp <= Date.now() / 1000 + 24 * 3600 + 60))
    throw new Error('exp out of range');
  if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub))
    throw new Error('sub must be mailto: or https:');
  return { vapidPublicKey: k, claims: { aud: String(payload.aud), exp, sub: payload.sub } };
}

export async function startPushFake(opts: { dir: string }): Promise<PushFake> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const tls = makeCertificates(opts.dir);
  const caFile = path.join(opts.dir, 'ca.pem');
  const subs = new Map<string, { ecdh: crypto.ECDH; auth: Buffer; gone: boolean }>();
  const received: ReceivedPush[] = [];
  const rejected: RejectedPush[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  let origin = '';

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const sub = subs.get(id);
      const reject = (status: number, reason: string) => {
        rejected.push({ subscriptionId: id, status, reason });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason);
      };
      if (req.method !== 'POST' || !sub) return reject(404, 'no such subscription');
      if (sub.gone) return reject(410, 'subscription expired');
      try {
        const vapid = await verifyVapid(req.headers.authorization, origin).catch((err: Error) => {
          throw Object.assign(err, { status: 401 });
        });
        if (req.headers['content-encoding'] !== 'aes128gcm')
          throw new Error('Content-Encoding must be aes128gcm');
        const ttl = Number(req.headers.ttl);
        if (!Number.isInteger(ttl) || ttl < 0) throw new Error('TTL header missing');
        const payload = decryptAes128gcm(Buffer.concat(chunks), sub.ecdh, sub.auth);
        received.push({
          subscriptionId: id,
          payload,
          ttl,
          urgency: (req.headers.urgency as string | undefined) ?? null,
          topic: (req.headers.topic as string | undefined) ?? null,
          ...vapid,
        });
        waiters = waiters.filter((w) => {
          if (received.length >= w.n) w.resolve();
          return received.length < w.n;
        });
        res.writeHead(201, { Location: `${origin}/message/${received.length}` }).end();
      } catch (err) {
        reject((err as { status?: number }).status ?? 400, (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    url: origin,
    caFile,
    subscribe() {
      const id = crypto.randomUUID();
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      subs.set(id, { ecdh, auth, gone: false });
      return {
        id,
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) },
      };
    },
    markGone(id) {
      const sub = subs.get(id);
      if (sub) sub.gone = true;
    },
    received,
    rejected,
    async waitFor(n, timeoutMs = 15_000) {
      if (received.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `expected ${n} push message(s), got ${received.length}; rejected: ${JSON.stringify(rejected)}`,
                ),
              ),
            timeoutMs,
          );
          waiters.push({
            n,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
