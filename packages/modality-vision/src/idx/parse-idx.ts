import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Element types of the IDX format (LeCun's MNIST files), by their type code. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A tensor read from an IDX file: its dimensions, element type and row-major values. */
export interface IdxTensor {
  readonly dims: readonly number[];
  readonly dtype: IdxDType;
  readonly data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDType; bytes: number }> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

/** Where the bytes come from, for errors. */
export interface IdxSource {
  readonly file?: string;
}

function idxError(source: IdxSource, message: string, expected?: unknown, found?: unknown): OmnifuseError {
  return new OmnifuseError({ code: ErrorCode.InvalidInput, message, file: source.file, expected, found });
}

/**
 * Parses an (uncompressed) IDX file: two zero bytes, a type code, the number of dimensions, each
 * dimension as a big-endian 32-bit integer, then the values, big-endian. Bytes of `uint8` / `int8`
 * data are viewed in place (no copy); wider types are copied into native byte order. A bad magic
 * number, an unknown type code, or data shorter or longer than the dimensions say is an `E_INPUT`.
 */
export function parseIdx(bytes: Uint8Array, source: IdxSource = {}): IdxTensor {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw idxError(
      source,
      'not an IDX file: it must start with two zero bytes, a type code and a dimension count',
      '00 00 <type> <dims>',
      Buffer.from(bytes.subarray(0, 4)).toString('hex'),
    );
  }
  const type = TYPES[bytes[2]!];
  if (!type) {
    throw idxError(
      source,
      `IDX type code 0x${bytes[2]!.toString(16).padStart(2, '0')} is not one of the format's`,
      '0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64',
      `0x${bytes[2]!.toString(16)}`,
    );
  }
  const rank = bytes[3]!;
  if (rank === 0) throw idxError(source, 'IDX file declares no dimensions', 'at least 1', 0);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw idxError(
      source,
      'IDX file is truncated inside its header',
      `at least ${header} bytes`,
      bytes.length,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count * type.bytes;
  if (!Number.isSafeInteger(expected) || bytes.length !== expected) {
    const short = bytes.length < expected;
    throw idxError(
      source,
      short
        ? `IDX file is truncated: dimensions [${dims.join(', ')}] of ${type.dtype} need ${expected - header} data bytes, found ${bytes.length - header}`
        : `IDX file has ${bytes.length - expected} bytes after the data its dimensions [${dims.join(', ')}] describe`,
      `${expected} bytes`,
      bytes.length,
    );
  }
  return { dims, dtype: type.dtype, data: readValues(bytes, view, header, count, type.dtype) };
}

function readValues(bytes: Uint8Array, view: DataView, at: number, count: number, dtype: IdxDType): IdxData {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(at, at + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}
