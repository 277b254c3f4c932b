import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';

/**
 * API keys and JWT signing keys of one local platform data folder.
 * They are generated on first start and kept in `<dataDir>/keys.json`, so every client
 * configured once keeps working across restarts, and a fresh folder gets fresh secrets.
 */
const keysSchema = z.object({
  version: z.literal(1),
  jwtSecret: z.string().min(32),
  anonKey: z.string(),
  serviceRoleKey: z.string(),
  publishableKey: z.string().startsWith('sb_publishable_'),
  secretKey: z.string().startsWith('sb_secret_'),
  signingKey: z.object({
    kid: z.string(),
    alg: z.literal('ES256'),
    privateJwk: z.record(z.unknown()),
    publicJwk: z.record(z.unknown()),
  }),
});

export type PlatformKeys = z.infer<typeof keysSchema>;

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

function opaqueKey(prefix: string): string {
  const body = randomBytes(16).toString('base64url');
  const check = randomBytes(6).toString('base64url');
  return `${prefix}${body}_${check}`;
}

async function legacyKey(secret: string, role: 'anon' | 'service_role'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('supabase-demo')
    .setIssuedAt(now)
    .setExpirationTime(now + TEN_YEARS_S)
    .sign(new TextEncoder().encode(secret));
}

export async function generateKeys(): Promise<PlatformKeys> {
  const jwtSecret = randomBytes(32).toString('base64url');
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] };
  return {
    version: 1,
    jwtSecret,
    anonKey: await legacyKey(jwtSecret, 'anon'),
    serviceRoleKey: await legacyKey(jwtSecret, 'service_role'),
    publishableKey: opaqueKey('sb_publishable_'),
    secretKey: opaqueKey('sb_secret_'),
    signingKey: { kid, alg: 'ES256', privateJwk, publicJwk },
  };
}

/** Loads the data folder's keys, creating them (mode 0600) the first time. */
export async function loadOrCreateKeys(dataDir: string): Promise<PlatformKeys> {
  const file = path.join(dataDir, 'keys.json');
  if (fs.existsSync(file)) {
    return keysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const keys = await generateKeys();
  fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

export function readKeys(dataDir: string): PlatformKeys | null {
  const file = path.join(dataDir, 'keys.json');
  if (!fs.existsSync(file)) return null;
  return keysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
