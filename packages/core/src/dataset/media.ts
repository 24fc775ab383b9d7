import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/**
 * What an encoder receives for a value: in a media field, paths, `data:` URIs and bytes become
 * `MediaRef`s; anything else (decoded pixels such as `{ width, height, channels, data }`, sample
 * arrays) passes through unchanged for the encoder to validate. Outside media fields values pass
 * through as they are.
 */
export function encoderInput(
  value: unknown,
  root: string,
  media: boolean,
  where: ValueContext = {},
): unknown {
  return media && (typeof value === 'string' || value instanceof Uint8Array)
    ? toMediaRef(value, root, where)
    : value;
}

/**
 * Reads a media reference's bytes. A file that cannot be read becomes an OmnifuseError naming the
 * record, field and file (pass `where` to fill in the record and field).
 */
export async function readMedia(ref: MediaRef, where: ValueContext = {}): Promise<Uint8Array> {
  if (ref.kind === 'inline') return ref.bytes;
  try {
    const buffer = await readFile(ref.path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'media file not found'
        : code === 'EISDIR'
          ? 'media path is a folder'
          : 'cannot read media file';
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: `${reason} (${ref.relativePath})`,
      ...where,
      file: ref.path,
      cause,
    });
  }
}

/** A {@link ReadMedia} that names the record and field in its errors. */
export function mediaReaderFor(where: ValueContext): ReadMedia {
  return (ref) => readMedia(ref, where);
}
