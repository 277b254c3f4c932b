import fs from 'node:fs';
import path from 'node:path';
import type { StorageLayout } from './paths';

/**
 * One resumable upload's state, kept on disk so it survives a dropped connection and a
 * platform restart: `<dataDir>/storage-tus/<version>/info.json` and the `data` file the
 * PATCH requests append to. The offset is the length of `data` after an fsync, so it is
 * never ahead of the bytes actually kept.
 */
export type TusInfo = {
  id: string;
  bucket: string;
  key: string;
  version: string;
  /** Upload-Length, or null while deferred (creation-defer-length). */
  length: number | null;
  /** The raw Upload-Metadata header, echoed back on HEAD. */
  rawMetadata: string;
  contentType: string;
  cacheControl: string;
  userMetadata?: Record<string, unknown>;
  upsert: boolean;
  /** `sub` of the creator; later requests must come from the same subject. */
  owner?: string;
  /** Created through `/upload/resumable/sign` with an upload token. */
  signed: boolean;
  /** The content check ran on the first bytes. */
  checked: boolean;
  expiresAt: string;
};

/** Upload URLs live 24 hours (hosted). */
export const TUS_TTL_MS = 24 * 60 * 60 * 1000;

export class TusStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly layout: StorageLayout) {}

  dir(version: string) {
    return this.layout.tusUploadDir(version);
  }

  dataFile(version: string) {
    return path.join(this.dir(version), 'data');
  }

  async create(info: TusInfo) {
    await fs.promises.mkdir(this.dir(info.version), { recursive: true });
    await fs.promises.writeFile(this.dataFile(info.version), '');
    await this.save(info);
  }

  async save(info: TusInfo) {
    const file = path.join(this.dir(info.version), 'info.json');
    await fs.promises.writeFile(`${file}.tmp`, JSON.stringify(info));
    await fs.promises.rename(`${file}.tmp`, file);
  }

  async load(version: string): Promise<TusInfo | undefined> {
    try {
      return JSON.parse(
        await fs.promises.readFile(path.join(this.dir(version), 'info.json'), 'utf8'),
      ) as TusInfo;
    } catch {
      return undefined;
    }
  }

  async offset(version: string): Promise<number> {
    return (await fs.promises.stat(this.dataFile(version))).size;
  }

  async head(version: string, bytes: number): Promise<Buffer> {
    const handle = await fs.promises.open(this.dataFile(version), 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async remove(version: string) {
    await fs.promises.rm(this.dir(version), { recursive: true, force: true });
  }

  /** Runs `fn` alone for this upload: a PATCH, HEAD or DELETE waits for the one before it. */
  async exclusive<T>(version: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(version) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(fn);
    const tail = run.catch(() => {});
    this.locks.set(version, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(version) === tail) this.locks.delete(version);
    }
  }

  /** Drops uploads past their expiry (run at start and hourly). */
  async sweep(now = Date.now()) {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.layout.tusDir);
    } catch {
      return;
    }
    for (const name of names) {
      const info = await this.load(name);
      if (!info || Date.parse(info.expiresAt) < now) await this.remove(name);
    }
  }
}
