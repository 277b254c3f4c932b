import { ERRORS } from './errors';

/**
 * Content sniffing for uploads (OWASP file-upload cheat sheet: check the bytes, not the
 * Content-Type header). A family is one magic number and the MIME types a file with it
 * may honestly be declared as: an .xlsx is a ZIP, a .doc a Compound File.
 */
/** `weak`: a short signature that ordinary text can start with by chance. */
type Family = { name: string; mimes: string[]; test: (b: Buffer) => boolean; weak?: boolean };

const ascii = (b: Buffer, offset: number, text: string) =>
  b.length >= offset + text.length && b.toString('latin1', offset, offset + text.length) === text;
const bytes = (b: Buffer, offset: number, sig: number[]) =>
  b.length >= offset + sig.length && sig.every((v, i) => b[offset + i] === v);
const ftyp = (b: Buffer, brands: string[]) =>
  ascii(b, 4, 'ftyp') && brands.some((brand) => ascii(b, 8, brand));

const OOXML = [
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
];

const FAMILIES: Family[] = [
  {
    name: 'png',
    mimes: ['image/png', 'image/apng'],
    test: (b) => bytes(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  {
    name: 'jpeg',
    mimes: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
    test: (b) => bytes(b, 0, [0xff, 0xd8, 0xff]),
  },
  { name: 'gif', mimes: ['image/gif'], test: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a') },
  { name: 'webp', mimes: ['image/webp'], test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') },
  {
    name: 'bmp',
    mimes: ['image/bmp', 'image/x-bmp', 'image/x-ms-bmp'],
    test: (b) => ascii(b, 0, 'BM') && b.length >= 26,
    weak: true,
  },
  {
    name: 'tiff',
    mimes: ['image/tiff'],
    test: (b) => bytes(b, 0, [0x49, 0x49, 0x2a, 0x00]) || bytes(b, 0, [0x4d, 0x4d, 0x00, 0x2a]),
  },
  {
    name: 'ico',
    mimes: ['image/x-icon', 'image/vnd.microsoft.icon'],
    test: (b) => bytes(b, 0, [0, 0, 1, 0]),
    weak: true,
  },
  { name: 'avif', mimes: ['image/avif'], test: (b) => ftyp(b, ['avif', 'avis']) },
  {
    name: 'heic',
    mimes: ['image/heic', 'image/heif'],
    test: (b) => ftyp(b, ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1']),
  },
  { name: 'pdf', mimes: ['application/pdf', 'application/x-pdf'], test: (b) => ascii(b, 0, '%PDF-') },
  {
    name: 'zip',
    mimes: [
      'application/zip',
      'application/x-zip-compressed',
      'application/epub+zip',
      'application/java-archive',
      ...OOXML,
    ],
    test: (b) => bytes(b, 0, [0x50, 0x4b, 0x03, 0x04]) || bytes(b, 0, [0x50, 0x4b, 0x05, 0x06]),
  },
  {
    name: 'cfb',
    mimes: [
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/x-ole-storage',
    ],
    test: (b) => bytes(b, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  {
    name: 'gzip',
    mimes: ['application/gzip', 'application/x-gzip'],
    test: (b) => bytes(b, 0, [0x1f, 0x8b, 0x08]),
  },
  {
    name: '7z',
    mimes: ['application/x-7z-compressed'],
    test: (b) => bytes(b, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  },
  {
    name: 'rar',
    mimes: ['application/vnd.rar', 'application/x-rar-compressed'],
    test: (b) => ascii(b, 0, 'Rar!'),
  },
  { name: 'quicktime', mimes: ['video/quicktime'], test: (b) => ftyp(b, ['qt  ']) },
  { name: '3gp', mimes: ['video/3gpp', 'video/3gpp2', 'audio/3gpp'], test: (b) => ftyp(b, ['3gp', '3g2']) },
  {
    name: 'm4a',
    mimes: ['audio/mp4', 'audio/x-m4a', 'audio/m4a', 'video/mp4'],
    test: (b) => ftyp(b, ['M4A', 'M4B']),
  },
  // Any other ISO-BMFF brand (isom, mp41, mp42, avc1, dash, …) is an MP4 container.
  {
    name: 'mp4',
    mimes: ['video/mp4', 'video/x-m4v', 'audio/mp4', 'application/mp4'],
    test: (b) => ascii(b, 4, 'ftyp'),
  },
  {
    name: 'webm',
    mimes: ['video/webm', 'audio/webm', 'video/x-matroska', 'audio/x-matroska'],
    test: (b) => bytes(b, 0, [0x1a, 0x45, 0xdf, 0xa3]),
  },
  {
    name: 'avi',
    mimes: ['video/x-msvideo', 'video/avi', 'video/msvideo'],
    test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'AVI '),
  },
  {
    name: 'wav',
    mimes: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
    test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE'),
  },
  {
    name: 'ogg',
    mimes: ['audio/ogg', 'video/ogg', 'application/ogg', 'audio/opus'],
    test: (b) => ascii(b, 0, 'OggS'),
  },
  { name: 'flac', mimes: ['audio/flac', 'audio/x-flac'], test: (b) => ascii(b, 0, 'fLaC') },
  {
    name: 'mp3',
    mimes: ['audio/mpeg', 'audio/mp3', 'audio/mpeg3'],
    test: (b) =>
      ascii(b, 0, 'ID3') || (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0),
    weak: true,
  },
  {
    name: 'mpeg-ts',
    mimes: ['video/mp2t'],
    test: (b) => b.length >= 189 && b[0] === 0x47 && b[188] === 0x47,
    weak: true,
  },
  {
    name: 'mpeg-ps',
    mimes: ['video/mpeg'],
    test: (b) => bytes(b, 0, [0x00, 0x00, 0x01, 0xba]) || bytes(b, 0, [0x00, 0x00, 0x01, 0xb3]),
  },
];

/** Every type some family vouches for: declaring one of them needs the matching bytes. */
const SNIFFABLE = new Set(FAMILIES.flatMap((f) => f.mimes));

/** How many leading bytes the sniffer wants before it decides. */
export const SNIFF_BYTES = 512;

export function sniff(head: Buffer): Family | undefined {
  return FAMILIES.find((f) => f.test(head));
}

/** `image/png; charset=x` → `image/png`. */
export function baseMime(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** Hosted rule (`validateMimeType`): exact `type/subtype` or `type/*` in the allow-list. */
export function isMimeAllowed(contentType: string, allowed: string[]): boolean {
  const [type, sub] = baseMime(contentType).split('/');
  if (!type || !sub) return false;
  return allowed.some((a) => {
    const [aType, aSub] = baseMime(a).split('/');
    return aType === type && (aSub === '*' || aSub === sub);
  });
}

export function mustBeAllowedMime(contentType: string, allowed: string[] | null | undefined) {
  if (allowed && allowed.length > 0 && !isMimeAllowed(contentType, allowed))
    throw ERRORS.invalidMimeType(contentType);
}

/**
 * Checks an upload's first bytes against what it claims to be. Only for buckets with
 * `allowed_mime_types`: there the declared type must be allowed (as hosted), and
 * - a declared type that has a magic number (image/png, application/pdf, …) needs those bytes;
 * - bytes of a recognised binary format need that format to be allowed, whatever the header says.
 */
export function checkContent(declared: string, head: Buffer, allowed: string[] | null | undefined) {
  if (!allowed || allowed.length === 0) return;
  mustBeAllowedMime(declared, allowed);
  const mime = baseMime(declared);
  const family = sniff(head);
  if (family?.mimes.includes(mime)) return;
  if (SNIFFABLE.has(mime)) {
    throw ERRORS.invalidMimeType(
      mime,
      family ? `the file's content is ${family.mimes[0]}` : `the file's content is not ${mime}`,
    );
  }
  if (family && !family.weak && !family.mimes.some((m) => isMimeAllowed(m, allowed))) {
    throw ERRORS.invalidMimeType(
      family.mimes[0],
      `the file's content is ${family.mimes[0]}, declared as ${mime}`,
    );
  }
}
