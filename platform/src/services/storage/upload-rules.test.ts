import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveLimit, GLOBAL_FILE_SIZE_LIMIT, parseFileSizeLimit } from './limits';
import { checkContent, isMimeAllowed, sniff } from './mime';
import { parseRange } from './object-read';
import { decodePath, mustBeValidBucketName, mustBeValidKey, StorageLayout } from './paths';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const PDF = Buffer.from('%PDF-1.7\n');
const DOCX = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom')]);
const TEXT = Buffer.from('plain words, nothing binary about them');

describe('content sniffing', () => {
  it('recognises common images, video, pdf and office files by their magic numbers', () => {
    expect(sniff(PNG)?.name).toBe('png');
    expect(sniff(JPEG)?.name).toBe('jpeg');
    expect(sniff(PDF)?.name).toBe('pdf');
    expect(sniff(DOCX)?.name).toBe('zip');
    expect(sniff(MP4)?.name).toBe('mp4');
    expect(sniff(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))?.name).toBe('webp');
    expect(sniff(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))?.name).toBe('cfb');
    expect(sniff(TEXT)).toBeUndefined();
  });

  it('matches allowed types exactly or by type/*', () => {
    expect(isMimeAllowed('image/png', ['image/*'])).toBe(true);
    expect(isMimeAllowed('image/png; charset=binary', ['image/png'])).toBe(true);
    expect(isMimeAllowed('text/plain', ['image/*', 'application/pdf'])).toBe(false);
    expect(isMimeAllowed('nonsense', ['nonsense'])).toBe(false);
  });

  it('refuses a declared type the bytes contradict, only for buckets that restrict types', () => {
    const images = ['image/png', 'image/jpeg'];
    expect(() => checkContent('image/png', PNG, images)).not.toThrow();
    expect(() => checkContent('image/png', TEXT, images)).toThrow(/not image\/png/);
    expect(() => checkContent('image/png', JPEG, images)).toThrow(/content is image\/jpeg/);
    expect(() => checkContent('text/plain', PNG, images)).toThrow(/text\/plain is not supported/);
    expect(() => checkContent('image/png', TEXT, null)).not.toThrow();

    const office = ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/*'];
    expect(() => checkContent(office[0], DOCX, office)).not.toThrow();
    expect(() => checkContent(office[0], TEXT, office)).toThrow();
    expect(() => checkContent('text/plain', PDF, office)).toThrow(/application\/pdf/);
    // Text that happens to start like a weak signature ("BM…") is still text.
    expect(() =>
      checkContent('text/plain', Buffer.from('BMW service schedule for the garage, 2026'), office),
    ).not.toThrow();
  });
});

describe('limits', () => {
  it('parses sizes as the API accepts them', () => {
    expect(parseFileSizeLimit(1024)).toBe(1024);
    expect(parseFileSizeLimit('5MB')).toBe(5_000_000);
    expect(parseFileSizeLimit('1.5 kb')).toBe(1500);
    expect(parseFileSizeLimit('50MiB')).toBe(50 * 1024 * 1024);
    expect(parseFileSizeLimit(null)).toBeNull();
    expect(parseFileSizeLimit(undefined)).toBeUndefined();
    expect(() => parseFileSizeLimit('lots')).toThrow(/Invalid file size format/);
    expect(() => parseFileSizeLimit(-1)).toThrow();
  });

  it('caps a bucket limit at the platform limit', () => {
    expect(effectiveLimit(null)).toBe(GLOBAL_FILE_SIZE_LIMIT);
    expect(effectiveLimit('2048')).toBe(2048);
    expect(effectiveLimit(GLOBAL_FILE_SIZE_LIMIT * 2)).toBe(GLOBAL_FILE_SIZE_LIMIT);
  });
});

describe('ranges', () => {
  it('reads one bytes= range and refuses unsatisfiable ones', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
    expect(parseRange(undefined, 1000)).toBeUndefined();
  });
});

describe('keys and paths', () => {
  it('accepts hosted-valid keys and refuses traversal and odd characters', () => {
    for (const key of ['a.txt', 'folder/sub/file (1).pdf', "o'neil & co+x=y@z;w:v,u?.png"]) {
      expect(() => mustBeValidKey(key), key).not.toThrow();
    }
    for (const key of ['', '../x', 'a/../b', 'a/./b', '/a', 'a/', 'a//b', 'ä.txt', 'a\\b', 'a\0b']) {
      expect(() => mustBeValidKey(key), JSON.stringify(key)).toThrow(/Invalid key/);
    }
    expect(() => mustBeValidBucketName('..')).toThrow();
    expect(() => mustBeValidBucketName('a/b')).toThrow();
    expect(() => mustBeValidBucketName('avatars')).not.toThrow();
  });

  it('decodes URL segments and keeps every file path under its root', () => {
    expect(decodePath('a%20b/c%2Bd')).toBe('a b/c+d');
    expect(() => decodePath('bad%zz')).toThrow(/Invalid key/);
    const layout = new StorageLayout(path.join(os.tmpdir(), 'layout-test'));
    expect(layout.objectFile('b', 'x/y.txt', 'v1')).toBe(path.join(layout.root, 'b', 'x', 'y.txt', 'v1'));
    expect(() => layout.objectFile('..', 'x', 'v1')).toThrow();
    expect(() => layout.objectFile('b', '../../etc/passwd', 'v1')).toThrow();
    expect(() => layout.objectFile('b', '/etc/passwd', 'v1')).toThrow();
    expect(() => layout.tusUploadDir('../x')).toThrow();
  });
});
