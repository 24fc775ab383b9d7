import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Formats {@link probeImage} reads the header of. */
export type ProbedImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'avif' | 'heif';

/** Why a header could not be read: `details.problem` of a probe's `E_INPUT` error. */
export type ImageProblem = 'empty' | 'unknown-format' | 'unsupported-format' | 'truncated' | 'corrupt';

/** What a header says, read without decoding any pixels. */
export interface ImageProbe {
  readonly format: ProbedImageFormat;
  readonly width: number;
  readonly height: number;
  /** Channels the header declares (1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha), when it does. */
  readonly channels?: number;
}

/** An `E_INPUT` error about unreadable image bytes; `details.problem` says why in one word. */
export function probeError(
  problem: ImageProblem,
  message: string,
  details: Record<string, unknown> = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    details: { problem, ...details },
  });
}

export function truncated(format: ProbedImageFormat, what: string): OmnifuseError {
  return probeError('truncated', `truncated ${format.toUpperCase()}: ${what}`, { format });
}

export function corrupt(format: ProbedImageFormat, what: string, extra: Record<string, unknown> = {}) {
  return probeError('corrupt', `corrupt ${format.toUpperCase()}: ${what}`, { format, ...extra });
}

/** True when `text` (ASCII) is at `start`. */
export function asciiAt(bytes: Uint8Array, start: number, text: string): boolean {
  if (bytes.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

export const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
export const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
export const u32le = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
export const i32le = (b: Uint8Array, at: number): number =>
  b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);

/** A 64-bit big-endian integer, or Infinity when it does not fit a safe integer. */
export function u64be(b: Uint8Array, at: number): number {
  const value = u32be(b, at) * 2 ** 32 + u32be(b, at + 4);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}
