import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ERRORS } from './errors';
import { SNIFF_BYTES } from './mime';
import type { StorageLayout } from './paths';

/** A received upload waiting in the temp folder to be renamed into place. */
export type StagedFile = { tmpPath: string; size: number; eTag: string };

/**
 * Counts, hashes and inspects bytes on their way to disk: errors with EntityTooLarge as
 * soon as the limit is passed (so the caller stops reading), and hands the first bytes to
 * `inspect` once (the content-type check).
 */
class UploadGuard extends Transform {
  size = 0;
  private readonly md5 = createHash('md5');
  private head: Buffer[] = [];
  private headLength = 0;
  private inspected = false;

  constructor(
    private readonly limit: number,
    private readonly inspect: ((head: Buffer) => void) | undefined,
  ) {
    super();
  }

  private runInspect(): Error | undefined {
    if (this.inspected) return undefined;
    this.inspected = true;
    const head = Buffer.concat(this.head);
    this.head = [];
    try {
      this.inspect?.(head);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.size += chunk.length;
    if (this.size > this.limit) {
      cb(ERRORS.entityTooLarge());
      return;
    }
    if (!this.inspected) {
      this.head.push(chunk.subarray(0, SNIFF_BYTES - this.headLength));
      this.headLength += Math.min(chunk.length, SNIFF_BYTES - this.headLength);
      if (this.headLength >= SNIFF_BYTES) {
        const err = this.runInspect();
        if (err) {
          cb(err);
          return;
        }
      }
    }
    this.md5.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback) {
    cb(this.runInspect());
  }

  eTag(): string {
    return `"${this.md5.digest('hex')}"`;
  }
}

/** fdatasync a file that was written through a stream. */
export async function syncFile(file: string) {
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * `source → transform → dest`, where a failure unpipes `source` instead of destroying it:
 * the source is usually the HTTP request, whose socket must stay open for the error
 * response. A source that closes before its end fails the pipe.
 */
export async function pipeWithoutDestroying(source: Readable, transform: Transform, dest: Writable) {
  const onError = (err: Error) => transform.destroy(err);
  const onClose = () => {
    if (!source.readableEnded) transform.destroy(new Error('the upload stream closed before its end'));
  };
  source.once('error', onError);
  source.once('close', onClose);
  source.pipe(transform);
  try {
    await pipeline(transform, dest);
  } catch (err) {
    source.unpipe(transform);
    throw err;
  } finally {
    source.off('error', onError);
    source.off('close', onClose);
  }
}

/** Files on local disk: staging, atomic placement, removal. Paths come from `StorageLayout`. */
export class FileStore {
  constructor(readonly layout: StorageLayout) {}

  async init() {
    await fs.promises.mkdir(this.layout.root, { recursive: true });
    await fs.promises.mkdir(this.layout.tmpDir, { recursive: true });
    await fs.promises.mkdir(this.layout.tusDir, { recursive: true });
    // Staged files of a run that died mid-upload are of no use to anyone.
    for (const name of await fs.promises.readdir(this.layout.tmpDir)) {
      await fs.promises.rm(path.join(this.layout.tmpDir, name), { force: true, recursive: true });
    }
  }

  /**
   * Streams `source` into a new temp file, enforcing `limit` and running `inspect` on the
   * first bytes. The source is only unpiped on failure, never destroyed: it may be the HTTP
   * request, whose socket must stay open for the error response.
   */
  async stage(source: Readable, limit: number, inspect?: (head: Buffer) => void): Promise<StagedFile> {
    const tmpPath = this.layout.tmpFile(randomUUID());
    const guard = new UploadGuard(limit, inspect);
    try {
      await pipeWithoutDestroying(source, guard, fs.createWriteStream(tmpPath, { flags: 'wx' }));
      await syncFile(tmpPath);
    } catch (err) {
      await fs.promises.rm(tmpPath, { force: true });
      throw err;
    }
    return { tmpPath, size: guard.size, eTag: guard.eTag() };
  }

  /** Moves a staged (or TUS-assembled) file to its object path. Same filesystem, so atomic. */
  async place(src: string, bucket: string, key: string, version: string) {
    const dest = this.layout.objectFile(bucket, key, version);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    await fs.promises.rename(src, dest);
  }

  /** A second name for an object's bytes (move, copy): a hard link, or a copy across devices. */
  async duplicate(
    from: { bucket: string; key: string; version: string },
    to: { bucket: string; key: string; version: string },
  ) {
    const src = this.layout.objectFile(from.bucket, from.key, from.version);
    const dest = this.layout.objectFile(to.bucket, to.key, to.version);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    try {
      await fs.promises.link(src, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw ERRORS.noSuchKey();
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
      await fs.promises.copyFile(src, dest, fs.constants.COPYFILE_FICLONE);
    }
  }

  /** Removes one version's file and the folders it leaves empty (up to the bucket folder). */
  async remove(bucket: string, key: string, version: string) {
    const file = this.layout.objectFile(bucket, key, version);
    await fs.promises.rm(file, { force: true });
    const stop = this.layout.bucketDir(bucket);
    let dir = path.dirname(file);
    while (dir.startsWith(stop + path.sep)) {
      try {
        await fs.promises.rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }

  async removeBucketDir(bucket: string) {
    await fs.promises.rm(this.layout.bucketDir(bucket), { recursive: true, force: true });
  }

  async discard(tmpPath: string) {
    await fs.promises.rm(tmpPath, { force: true });
  }

  /**
   * Opens an object's file before any header is sent: a concurrent overwrite may unlink the
   * old version right after the row was read, and an open descriptor keeps its bytes.
   */
  async open(bucket: string, key: string, version: string): Promise<fs.promises.FileHandle> {
    try {
      return await fs.promises.open(this.layout.objectFile(bucket, key, version), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw ERRORS.noSuchKey();
      throw err;
    }
  }
}
