import path from 'node:path';
import { ERRORS } from './errors';

/** Hosted Storage's character rules (`src/storage/limits.ts`): S3-safe ASCII only. */
const VALID_OBJECT_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET_NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;

function hasDotSegment(name: string): boolean {
  return name.split('/').some((s) => s === '.' || s === '..');
}

/**
 * A key must also be usable as a relative path on disk: no `.`/`..` segments, no empty
 * segment (`a//b`) and no leading or trailing `/` (storage-js strips those before sending).
 */
export function mustBeValidKey(key: string | undefined): asserts key is string {
  if (
    !key ||
    key.length > 1024 ||
    !VALID_OBJECT_KEY.test(key) ||
    hasDotSegment(key) ||
    key.startsWith('/') ||
    key.endsWith('/') ||
    key.includes('//')
  ) {
    throw ERRORS.invalidKey(key ?? '');
  }
}

export function mustBeValidBucketName(name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > 100 ||
    !VALID_BUCKET_NAME.test(name) ||
    name === '.' ||
    name === '..' ||
    name.trim() !== name
  ) {
    throw ERRORS.invalidBucketName();
  }
}

/** Decodes a URL path's segments (`/a%20b/c` → `a b/c`); a bad escape is an invalid key. */
export function decodePath(raw: string): string {
  try {
    return raw
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    throw ERRORS.invalidKey(raw);
  }
}

/**
 * Where Storage keeps its files. Objects live at `<root>/<bucket>/<key>/<version>` (the
 * layout of hosted Storage's file backend), so an object `a` and an object `a/b` can both
 * exist, and a new version is written beside the old one and swapped in by the database.
 */
export class StorageLayout {
  readonly root: string;
  readonly tmpDir: string;
  readonly tusDir: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'storage');
    this.tmpDir = path.resolve(dataDir, 'storage-tmp');
    this.tusDir = path.resolve(dataDir, 'storage-tus');
  }

  /** Resolves a path under `base`, refusing anything that would land outside it. */
  private within(base: string, ...parts: string[]): string {
    for (const p of parts) {
      if (p.includes('\0') || path.isAbsolute(p) || hasDotSegment(p)) throw ERRORS.invalidKey(p);
    }
    const resolved = path.resolve(base, ...parts);
    if (!resolved.startsWith(base + path.sep)) throw ERRORS.invalidKey(parts.join('/'));
    return resolved;
  }

  bucketDir(bucket: string): string {
    return this.within(this.root, bucket);
  }

  objectFile(bucket: string, key: string, version: string): string {
    return this.within(this.root, bucket, key, version);
  }

  tmpFile(name: string): string {
    return this.within(this.tmpDir, name);
  }

  tusUploadDir(id: string): string {
    return this.within(this.tusDir, id);
  }
}
