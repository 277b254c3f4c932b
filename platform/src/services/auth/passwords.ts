import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

const COST = 10;

/**
 * bcrypt with cost 10, written with the `$2a$` prefix GoTrue's Go bcrypt writes, so rows move
 * between the local platform and hosted Supabase unchanged (for passwords of at most 72 bytes,
 * which is all we accept, `$2a$` and `$2b$` hashes are identical).
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = bcrypt.genSaltSync(COST).replace(/^\$2b\$/, '$2a$');
  return bcrypt.hash(password, salt);
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
  return bcrypt.compare(password, hash);
}

/** `isValidBcryptHash('$2a$10$…')`: what admin createUser accepts as `password_hash`. */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash);
}

/** A long random password for accounts created without one (OTP sign-up, invites), as GoTrue does. */
export function randomPassword(): string {
  return randomBytes(36).toString('base64url');
}
