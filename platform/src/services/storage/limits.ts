import { ERRORS } from './errors';

/**
 * The platform-wide upload limit. Hosted projects set it per plan (50 MB on Free, up to
 * 500 GB on paid plans); the local platform allows 5 GiB and relies on each bucket's
 * `file_size_limit` for anything tighter, as the app's buckets should.
 */
export const GLOBAL_FILE_SIZE_LIMIT = 5 * 1024 ** 3;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * `file_size_limit` as the API accepts it: bytes, or a string such as `"5MB"`, `"20GB"`,
 * `"30KB"`, `"3B"` (hosted `parseFileSizeToBytes`: decimal units). `MiB`-style binary units
 * (the CLI's config.toml spelling) are accepted too. `null` clears the limit.
 */
export function parseFileSizeLimit(value: unknown): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw ERRORS.invalidFileSizeLimit();
    return Math.floor(value);
  }
  if (typeof value !== 'string') throw ERRORS.invalidFileSizeLimit();
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(b|kb|mb|gb|kib|mib|gib)?$/i.exec(value.trim());
  if (!m) throw ERRORS.invalidFileSizeLimit();
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
}

/** The effective limit for one bucket: the smaller of the bucket's and the platform's. */
export function effectiveLimit(bucketLimit: string | number | null | undefined): number {
  const n = bucketLimit === null || bucketLimit === undefined ? 0 : Number(bucketLimit);
  return n > 0 ? Math.min(n, GLOBAL_FILE_SIZE_LIMIT) : GLOBAL_FILE_SIZE_LIMIT;
}
