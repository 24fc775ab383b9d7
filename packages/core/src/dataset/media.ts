import { constants, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '../errors.js';
import type { MediaRef, ReadMedia } from '../spec/index.js';
import { isMissing } from './missing.js';

export const IMAGE_EXTENSIONS: readonly string[] = [
  'png',
  'jpg',
  'jpeg',
  'webp',
  'gif',
  'tiff',
  'tif',
  'avif',
  'bmp',
];
export const AUDIO_EXTENSIONS: readonly string[] = ['wav', 'mp3', 'flac', 'ogg', 'm4a'];

/** Where a value comes from, for error messages. */
export interface ValueContext {
  readonly record?: string | number;
  readonly field?: string;
  /** Manifest file, when there is one. */
  readonly file?: string;
}

export type MediaKind = 'image' | 'audio';

/** `image` / `audio` from a file name's extension, else undefined. */
export function mediaKindOfPath(value: string): MediaKind | undefined {
  const dot = value.lastIndexOf('.');
  if (dot < 0 || value.length > 4096 || value.includes('\n')) return undefined;
  const ext = value.slice(dot + 1).toLowerCase();
  if (IMAGE_EXTENSIONS.includes(ext)) return 'image';
  if (AUDIO_EXTENSIONS.includes(ext)) return 'audio';
  return undefined;
}

/** `image` / `audio` from a media type such as `image/png`, else undefined. */
export function mediaKindOfType(mediaType: string | undefined): MediaKind | undefined {
  if (!mediaType) return undefined;
  const major = mediaType.split('/')[0]!.trim().toLowerCase();
  return major === 'image' || major === 'audio' ? major : undefined;
}

export function isDataUri(value: unknown): boolean {
  return typeof value === 'string' && /^data:/i.test(value);
}

/** Decodes a `data:[<media type>][;base64],<data>` URI (RFC 2397). */
export function parseDataUri(
  uri: string,
  where: ValueContext = {},
): { bytes: Uint8Array; mediaType?: string } {
  const comma = uri.indexOf(',');
  if (!/^data:/i.test(uri) || comma < 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'malformed data URI: expected data:[<media type>][;base64],<data>',
      ...where,
      found: uri.slice(0, 40),
    });
  }
  const header = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  const params = header.split(';').map((part) => part.trim());
  const base64 = params.at(-1)?.toLowerCase() === 'base64';
  const mediaType = params[0]?.includes('/') ? params[0].toLowerCase() : undefined;
  if (base64) {
    const compact = payload.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidInput,
        message: 'data URI has invalid base64',
        ...where,
      });
    }
    return { bytes: new Uint8Array(Buffer.from(compact, 'base64')), mediaType };
  }
  try {
    return { bytes: new Uint8Array(Buffer.from(decodeURIComponent(payload), 'utf8')), mediaType };
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'data URI has invalid percent-encoding',
      ...where,
      cause,
    });
  }
}

/** Most leading bytes of a file an error or a finding may quote: its magic, never its contents. */
export const MAX_QUOTED_BYTES = 8;

/**
 * The first (at most {@link MAX_QUOTED_BYTES}) bytes, quoted, printable ASCII kept and every other
 * byte escaped as `\xNN`, e.g. `"RIFF$\x08\x00\x00"`: enough to recognise a format, too little to
 * leak a file. The one way omnifuse shows bytes of a file in a message.
 */
export function escapedMagic(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes.subarray(0, MAX_QUOTED_BYTES)) {
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

/** Media type from the first bytes of common image and audio formats, else undefined. */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  const ascii = (start: number, text: string) =>
    bytes.length >= start + text.length && [...text].every((c, i) => bytes[start + i] === c.charCodeAt(0));
  if (bytes[0] === 0x89 && ascii(1, 'PNG')) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF8')) return 'image/gif';
  if (ascii(0, 'BM') && bytes.length > 14) return 'image/bmp';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'audio/wav';
  if (ascii(0, 'fLaC')) return 'audio/flac';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (ascii(0, 'ID3') || (bytes[0] === 0xff && bytes.length > 1 && (bytes[1]! & 0xe0) === 0xe0)) {
    return 'audio/mpeg';
  }
  if (ascii(4, 'ftypavif')) return 'image/avif';
  if (ascii(4, 'ftypM4A')) return 'audio/mp4';
  if ((ascii(0, 'II*\0') || ascii(0, 'MM\0*')) && bytes.length > 8) return 'image/tiff';
  return undefined;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

/** The real path of `target`, or of its nearest existing ancestor joined with the rest. */
function realPathOfExisting(target: string): string {
  let current = target;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a manifest's media path against the data root. Refuses, with `E_PATH_OUTSIDE_ROOT`,
 * anything that would read outside the root: absolute paths elsewhere, `..` escapes, and symlinks
 * (of the file or any folder on the way) whose real target lies outside the root's real path.
 * A file that does not exist is not an error here; reading it is.
 */
export function resolveMediaPath(root: string, value: string, where: ValueContext = {}): string {
  const absoluteRoot = path.resolve(root);
  if (value.includes('\0')) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'media path contains a NUL byte',
      ...where,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message:
        'remote or URL media references are not supported; use a path under the data root or a data: URI',
      ...where,
      found: value,
    });
  }
  const target = path.resolve(absoluteRoot, value);
  const outside = (reason: string) =>
    new OmnifuseError({
      code: ErrorCode.PathOutsideRoot,
      message: `media path ${JSON.stringify(value)} ${reason} the data root ${absoluteRoot}`,
      ...where,
      expected: `a path inside ${absoluteRoot}`,
      found: value,
    });
  if (!isInside(absoluteRoot, target)) throw outside('is outside');
  const realTarget = realPathOfExisting(target);
  if (!isInside(realPathOfExisting(absoluteRoot), realTarget))
    throw outside('resolves (through a symlink) outside');
  return target;
}

/**
 * A manifest value as the media reference an encoder receives: a path under the data root becomes
 * `{kind: 'file'}`; a `data:` URI or a `Uint8Array`/`Buffer` becomes `{kind: 'inline'}`.
 */
export function toMediaRef(value: unknown, root: string, where: ValueContext = {}): MediaRef {
  if (isMissing(value)) {
    throw new OmnifuseError({ code: ErrorCode.MissingField, message: 'media value is missing', ...where });
  }
  if (value instanceof Uint8Array) {
    return { kind: 'inline', bytes: value, mediaType: sniffMediaType(value) };
  }
  if (typeof value !== 'string') {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'media value must be a path, a data: URI or bytes',
      ...where,
      expected: 'string | Uint8Array',
      found: Array.isArray(value) ? 'array' : typeof value,
    });
  }
  if (isDataUri(value)) {
    const { bytes, mediaType } = parseDataUri(value as string, where);
    return { kind: 'inline', bytes, mediaType: mediaType ?? sniffMediaType(bytes) };
  }
  const absolute = resolveMediaPath(root, value, where);
  const relativePath = path.relative(path.resolve(root), absolute).split(path.sep).join('/');
  return { kind: 'file', path: absolute, relativePath };
}

/** Keys that make an object look like a reference to somewhere else rather than decoded data. */
const REFERENCE_KEYS = ['kind', 'path', 'relativePath', 'file', 'url', 'uri', 'href', 'src'];

/**
 * True for values that point at media by some other means than the three accepted ones (a path
 * string, a `data:` URI, bytes): `URL` objects and plain objects with a `kind`, `path`, `url`, …
 * key, such as a hand-written `{ "kind": "file", "path": "/etc/…" }` in a manifest.
 */
export function isReferenceObject(value: unknown): boolean {
  if (value instanceof URL) return true;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return false;
  return REFERENCE_KEYS.some((key) => Object.hasOwn(value, key));
}

/**
 * What an encoder receives for a value: in a media field, paths, `data:` URIs and bytes become
 * `MediaRef`s; decoded media given in code (pixels such as `{ width, height, channels, data }`,
 * sample arrays) passes through unchanged for the encoder to validate. Objects that *refer* to media
 * (`{ kind: 'file', path }`, `URL`s: see {@link isReferenceObject}) are refused: media comes from a
 * path confined to the data root, a `data:` URI or bytes, nothing else. Outside media fields values
 * pass through as they are.
 */
export function encoderInput(
  value: unknown,
  root: string,
  media: boolean,
  where: ValueContext = {},
): unknown {
  if (!media) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) return toMediaRef(value, root, where);
  if (isReferenceObject(value)) throw referenceObjectError(where);
  return value;
}

export function referenceObjectError(where: ValueContext): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message:
      'media reference objects are not accepted: give a path inside the data root, a data: URI or bytes',
    ...where,
    expected: 'a path string, a data: URI or bytes',
    found: 'an object',
  });
}

/** The data root a file reference must lie in, when the caller knows it (checked again on read). */
export interface ReadMediaOptions extends ValueContext {
  readonly root?: string;
}

/**
 * Reads a media reference's bytes. Only regular files are read: a folder, FIFO, device or socket is
 * refused without blocking on it (the file is opened non-blocking and checked with `fstat` on the
 * same descriptor, so a swap between check and read cannot slip through). With `root`, a file
 * reference outside it (a hand-made `MediaRef`, a symlink that leaves the root) is refused before
 * anything is opened. A file that cannot be read becomes an OmnifuseError naming the record, field
 * and file.
 */
export async function readMedia(ref: MediaRef, where: ReadMediaOptions = {}): Promise<Uint8Array> {
  if (ref.kind === 'inline') return ref.bytes;
  const { root, ...context } = where;
  if (root !== undefined) resolveMediaPath(root, ref.path, context);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(ref.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw Object.assign(new Error('not a regular file'), {
        code: stats.isDirectory() ? 'EISDIR' : 'ENOTREG',
      });
    }
    const buffer = await handle.readFile();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (cause) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `${mediaReadProblem(cause).reason} (${ref.relativePath})`,
      ...context,
      file: ref.path,
      cause,
    });
  } finally {
    await handle?.close();
  }
}

/** A stable code and a reason for an error met opening or reading a media file. */
export function mediaReadProblem(cause: unknown): { code: string; reason: string } {
  switch ((cause as NodeJS.ErrnoException)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { code: 'file-not-found', reason: 'media file not found' };
    case 'EISDIR':
      return { code: 'not-a-file', reason: 'media path is a folder' };
    case 'ENOTREG':
      return { code: 'not-a-file', reason: 'media path is not a regular file (a FIFO, device or socket)' };
    case 'EACCES':
    case 'EPERM':
      return { code: 'file-unreadable', reason: 'media file is not readable (permission denied)' };
    case 'ELOOP':
      return { code: 'file-unreadable', reason: 'media path is a symlink loop' };
    default:
      return { code: 'file-unreadable', reason: 'cannot read media file' };
  }
}

/** A {@link ReadMedia} that names the record and field in its errors and, given `root`, confines files to it. */
export function mediaReaderFor(where: ReadMediaOptions): ReadMedia {
  return (ref) => readMedia(ref, where);
}
