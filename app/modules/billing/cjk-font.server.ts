import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import fonteditor from 'fonteditor-core';

/**
 * A TrueType subset of Noto Sans SC holding exactly the characters of a text, built from the
 * npm package @fontsource/noto-sans-sc (shipped with the app, so no system font is needed).
 * Fontsource splits the font into ~100 unicode-range slices; the slices covering the text are
 * read with only the needed glyphs and merged into one font, which pdf-lib embeds (and subsets
 * again). A receipt's font weighs ~10–20 KB.
 */

type Slice = { file: string; ranges: Array<[number, number]> };

const require = createRequire(import.meta.url);
let slices: Slice[] | undefined;

function fontDir(): string {
  return path.join(path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
}

function loadSlices(): Slice[] {
  if (slices) return slices;
  const pkg = path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
  const unicode = JSON.parse(fs.readFileSync(path.join(pkg, 'unicode.json'), 'utf8')) as Record<
    string,
    string
  >;
  slices = Object.entries(unicode).map(([key, ranges]) => ({
    file: `noto-sans-sc-${key.replace(/[[\]]/g, '')}-400-normal.woff`,
    ranges: ranges.split(',').map((part) => {
      const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
      return [Number.parseInt(a, 16), Number.parseInt(b ?? a, 16)] as [number, number];
    }),
  }));
  return slices;
}

const inflate = (data: number[]) => Array.from(zlib.inflateSync(Buffer.from(data)));

/** TTF bytes of Noto Sans SC Regular with the glyphs of `text` (characters it lacks are left out). */
export function cjkFontSubset(text: string): Uint8Array {
  const codePoints = [...new Set([...text, ' '].map((c) => c.codePointAt(0) as number))];
  const byFile = new Map<string, number[]>();
  for (const cp of codePoints) {
    const slice = loadSlices().find((s) => s.ranges.some(([a, b]) => cp >= a && cp <= b));
    if (!slice) continue;
    const list = byFile.get(slice.file) ?? [];
    list.push(cp);
    byFile.set(slice.file, list);
  }
  let merged: ReturnType<typeof fonteditor.Font.create> | undefined;
  for (const [file, subset] of byFile) {
    const font = fonteditor.Font.create(fs.readFileSync(path.join(fontDir(), file)), {
      type: 'woff',
      subset,
      hinting: false,
      inflate,
    });
    if (merged) merged.merge(font, { scale: 1 });
    else merged = font;
  }
  if (!merged) throw new Error('no glyphs for the receipt text');
  const out = merged.write({ type: 'ttf', toBuffer: true }) as unknown as Buffer;
  return new Uint8Array(out);
}
