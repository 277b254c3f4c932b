import { beforeAll, describe, expect, it } from 'vitest';
import { mapApiKey } from './gateway';
import { generateKeys, type PlatformKeys } from './keys';

describe('mapApiKey (Supabase gateway rule)', () => {
  let keys: PlatformKeys;
  beforeAll(async () => {
    keys = await generateKeys();
  });

  it('keeps a user bearer token', () => {
    expect(mapApiKey(keys, 'Bearer eyJuser', keys.publishableKey)).toEqual({
      ok: true,
      authorization: 'Bearer eyJuser',
    });
  });
  it('maps the secret key to the service_role JWT', () => {
    expect(mapApiKey(keys, undefined, keys.secretKey)).toEqual({
      ok: true,
      authorization: `Bearer ${keys.serviceRoleKey}`,
    });
  });
  it('maps the publishable key to the anon JWT, also when sent as bearer', () => {
    expect(mapApiKey(keys, undefined, keys.publishableKey)).toEqual({
      ok: true,
      authorization: `Bearer ${keys.anonKey}`,
    });
    expect(mapApiKey(keys, `Bearer ${keys.publishableKey}`, keys.publishableKey)).toEqual({
      ok: true,
      authorization: `Bearer ${keys.anonKey}`,
    });
  });
  it('passes a legacy JWT key on as bearer', () => {
    expect(mapApiKey(keys, undefined, keys.anonKey)).toEqual({
      ok: true,
      authorization: `Bearer ${keys.anonKey}`,
    });
  });
  it('refuses unknown sb_ keys and mismatched bearer keys', () => {
    expect(mapApiKey(keys, undefined, 'sb_secret_forged').ok).toBe(false);
    expect(mapApiKey(keys, `Bearer ${keys.secretKey}`, keys.publishableKey).ok).toBe(false);
  });
  it('leaves a request with no key without Authorization', () => {
    expect(mapApiKey(keys, undefined, undefined)).toEqual({ ok: true, authorization: undefined });
  });
});
