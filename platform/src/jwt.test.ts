import { createHmac, createPrivateKey, type JsonWebKey, sign } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Claims, createJwtVerifier, InvalidJwtError, signAccessToken } from './jwt';
import { generateKeys, type PlatformKeys } from './keys';

/** The verifier as it was before it moved to node:crypto: jose's jwtVerify, errors mapped the same way. */
function referenceVerifier(keys: PlatformKeys) {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const jwks = createLocalJWKSet({ keys: [keys.signingKey.publicJwk as never] });
  return async (token: string): Promise<Claims> => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new InvalidJwtError('malformed', 'malformed');
    let alg: string | undefined;
    try {
      alg = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')).alg;
    } catch {
      throw new InvalidJwtError('malformed', 'malformed');
    }
    try {
      const { payload } = alg === 'HS256' ? await jwtVerify(token, secret) : await jwtVerify(token, jwks);
      return payload as Claims;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED')
        throw new InvalidJwtError('expired', 'expired');
      throw new InvalidJwtError('signature', 'signature');
    }
  };
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('createJwtVerifier', () => {
  let keys: PlatformKeys;
  let other: PlatformKeys;
  let corpus: Array<[string, string]>;

  /** A token with any header and payload, signed like the platform (or with another key). */
  function raw(header: unknown, payload: unknown, by: 'es' | 'hs' | 'other-es' | 'other-hs' = 'es') {
    const input = `${b64(header)}.${b64(payload)}`;
    const k = by.startsWith('other') ? other : keys;
    const signature = by.endsWith('hs')
      ? createHmac('sha256', Buffer.from(k.jwtSecret, 'utf8')).update(input).digest()
      : sign('sha256', Buffer.from(input), {
          key: createPrivateKey({ key: k.signingKey.privateJwk as JsonWebKey, format: 'jwk' }),
          dsaEncoding: 'ieee-p1363',
        });
    return `${input}.${signature.toString('base64url')}`;
  }

  beforeAll(async () => {
    keys = await generateKeys();
    other = await generateKeys();
    const kid = keys.signingKey.kid;
    const es = { alg: 'ES256', typ: 'JWT', kid };
    const user = { sub: 'u1', role: 'authenticated', aud: 'authenticated', iat: now(), exp: now() + 3600 };
    const good = await signAccessToken(keys, { sub: 'u1', role: 'authenticated' }, 3600);
    const [h, p, s] = good.split('.');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const strangerInput = `${b64(es)}.${b64(user)}`;
    const strangerToken = `${strangerInput}.${sign('sha256', Buffer.from(strangerInput), {
      key: createPrivateKey({ key: (await exportJWK(privateKey)) as JsonWebKey, format: 'jwk' }),
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url')}`;
    corpus = [
      ['ES256 user token', good],
      ['legacy anon key (HS256)', keys.anonKey],
      ['legacy service_role key (HS256)', keys.serviceRoleKey],
      ['HS256 user token', raw({ alg: 'HS256', typ: 'JWT' }, user, 'hs')],
      ['ES256 without kid', raw({ alg: 'ES256' }, user)],
      ['no exp', raw(es, { sub: 'u1', role: 'authenticated' })],
      ['expired', raw(es, { ...user, exp: now() - 1 })],
      ['exp now', raw(es, { ...user, exp: now() })],
      ['nbf ahead', raw(es, { ...user, nbf: now() + 60 })],
      ['nbf passed', raw(es, { ...user, nbf: now() - 60 })],
      ['exp a string', raw(es, { ...user, exp: String(now() + 60) })],
      ['iat a string', raw(es, { ...user, iat: 'yesterday' })],
      ['payload changed after signing', `${h}.${b64({ sub: 'admin', role: 'service_role' })}.${s}`],
      ['signature of another payload', `${h}.${p}.${raw(es, { sub: 'u2' }).split('.')[2]}`],
      ['signature cut short', `${h}.${p}.${s.slice(0, 40)}`],
      ['signature with a foreign character', `${h}.${p}.${s.slice(0, -1)}*`],
      ['empty signature', `${h}.${p}.`],
      ['unknown kid', raw({ ...es, kid: 'nope' }, user)],
      ['kid a number', raw({ ...es, kid: 7 }, user)],
      ['another platform’s ES256 key, same kid', raw(es, user, 'other-es')],
      ['a stranger’s key claiming our kid', strangerToken],
      ['another platform’s JWT secret', raw({ alg: 'HS256' }, user, 'other-hs')],
      ['alg none', `${b64({ alg: 'none' })}.${b64(user)}.`],
      ['alg none with a signature', `${b64({ alg: 'none' })}.${b64(user)}.${s}`],
      ['HS256 header on an ES256 signature', `${b64({ alg: 'HS256', kid })}.${p}.${s}`],
      ['ES256 header, HMAC signature', raw({ alg: 'ES256', kid }, user, 'hs')],
      ['ES384 header', raw({ alg: 'ES384', kid }, user)],
      ['RS256 header', raw({ alg: 'RS256', kid }, user)],
      ['crit extension', raw({ ...es, crit: ['exp'] }, user)],
      ['b64 false', raw({ ...es, b64: false, crit: ['b64'] }, user)],
      ['header null', raw(null, user)],
      ['header an array', raw([], user)],
      ['header not JSON', `${b64('{alg')}.${p}.${s}`],
      ['payload not JSON', raw(es, 'not json')],
      ['payload an array', raw(es, [1, 2])],
      ['two parts', `${h}.${p}`],
      ['four parts', `${h}.${p}.${s}.x`],
      ['empty', ''],
    ];
  });

  it('decides every token of the corpus as jose did, with the same reason', async () => {
    const verify = createJwtVerifier(keys);
    const reference = referenceVerifier(keys);
    const outcome = async (f: (t: string) => Promise<Claims>, token: string) =>
      f(token).then(
        (claims) => ({ ok: claims }),
        (err: InvalidJwtError) => ({ refused: err.reason }),
      );
    for (const [name, token] of corpus) {
      expect({ name, ...(await outcome(verify, token)) }).toEqual({
        name,
        ...(await outcome(reference, token)),
      });
    }
  });

  it('accepts the platform’s tokens and refuses forgeries, expired and future tokens', async () => {
    const verify = createJwtVerifier(keys);
    const byName = new Map(corpus);
    const reason = (name: string) =>
      verify(byName.get(name) ?? '').then(
        () => 'ok',
        (err: InvalidJwtError) => err.reason,
      );
    expect(await reason('ES256 user token')).toBe('ok');
    expect(await reason('legacy anon key (HS256)')).toBe('ok');
    expect(await reason('HS256 user token')).toBe('ok');
    expect((await verify(byName.get('ES256 user token') ?? '')).sub).toBe('u1');
    for (const name of [
      'payload changed after signing',
      'signature of another payload',
      'another platform’s ES256 key, same kid',
      'another platform’s JWT secret',
      'alg none',
      'alg none with a signature',
      'HS256 header on an ES256 signature',
      'ES256 header, HMAC signature',
      'unknown kid',
      'nbf ahead',
      'crit extension',
    ])
      expect({ name, reason: await reason(name) }).toEqual({ name, reason: 'signature' });
    expect(await reason('expired')).toBe('expired');
    expect(await reason('exp now')).toBe('expired');
    expect(await reason('two parts')).toBe('malformed');
    expect(await reason('header not JSON')).toBe('malformed');
  });
});
