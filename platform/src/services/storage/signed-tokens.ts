import { jwtVerify, SignJWT } from 'jose';
import type { PlatformKeys } from '../../keys';
import { ERRORS } from './errors';

/**
 * Signed-URL tokens, as hosted Storage makes them (`src/storage/object.ts`
 * signObjectUrl / signUploadObjectUrl): HS256 JWTs signed with the project's JWT secret.
 * A download token is `{url: "<bucket>/<key>", scope: "download"}`, an upload token
 * `{owner, url, upsert, scope: "upload"}`; both bound to one object path.
 */
export type DownloadToken = { url: string; scope: 'download'; exp: number };
export type UploadToken = { url: string; scope: 'upload'; owner?: string; upsert: boolean; exp: number };

/** Upload URLs are valid for two hours (hosted `uploadSignedUrlExpirationTime`). */
export const UPLOAD_URL_TTL_S = 2 * 60 * 60;

function secret(keys: PlatformKeys) {
  return new TextEncoder().encode(keys.jwtSecret);
}

async function sign(keys: PlatformKeys, claims: Record<string, unknown>, expiresIn: number) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + Math.max(1, Math.floor(expiresIn)))
    .sign(secret(keys));
}

export function signDownload(keys: PlatformKeys, url: string, expiresIn: number) {
  return sign(keys, { url, scope: 'download' }, expiresIn);
}

export function signUpload(keys: PlatformKeys, url: string, owner: string | undefined, upsert: boolean) {
  return sign(keys, { owner, url, upsert, scope: 'upload' }, UPLOAD_URL_TTL_S);
}

/** Checks signature, expiry, scope and that the token was issued for exactly `url`. */
export async function verifySigned<S extends 'download' | 'upload'>(
  keys: PlatformKeys,
  token: string | null | undefined,
  url: string,
  scope: S,
): Promise<S extends 'upload' ? UploadToken : DownloadToken> {
  if (!token) throw ERRORS.invalidSignature('Missing token');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret(keys), { algorithms: ['HS256'] }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw ERRORS.invalidJwt(code === 'ERR_JWT_EXPIRED' ? 'jwt expired' : (err as Error).message);
  }
  if (payload.scope !== scope || typeof payload.url !== 'string') {
    throw ERRORS.invalidSignature(`Token is not scoped for ${scope}`);
  }
  if (payload.url !== url) throw ERRORS.invalidSignature();
  return payload as never;
}
