/** Why bytes are not a well-formed protobuf message, and where (byte offset into the whole buffer). */
export class ProtoFormatError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'ProtoFormatError';
  }
}

/** One field as it appears on the wire; `offset` is where its payload starts in the whole buffer. */
export type ProtoField =
  | { readonly field: number; readonly wireType: 0; readonly value: bigint; readonly offset: number }
  | {
      readonly field: number;
      readonly wireType: 1 | 2 | 5;
      readonly bytes: Uint8Array;
      readonly offset: number;
    };

/**
 * A minimal protobuf wire-format reader: walks the fields of one message without a schema,
 * checking every length against the buffer, so truncated or foreign bytes fail with an offset
 * instead of reading past the end. Length-delimited payloads are views, not copies.
 */
export function* readProtoFields(bytes: Uint8Array, baseOffset = 0): Generator<ProtoField> {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new ProtoFormatError(reason, baseOffset + at);
  };
  while (pos < bytes.length) {
    const start = pos;
    let key: bigint;
    [key, pos] = decodeVarint(bytes, pos, baseOffset);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) fail('field number 0', start);
    if (wireType === 0) {
      let value: bigint;
      [value, pos] = decodeVarint(bytes, pos, baseOffset);
      yield { field, wireType, value, offset: baseOffset + start };
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (pos + size > bytes.length) fail('truncated fixed-width field');
      yield { field, wireType, bytes: bytes.subarray(pos, pos + size), offset: baseOffset + pos };
      pos += size;
    } else if (wireType === 2) {
      let length: bigint;
      [length, pos] = decodeVarint(bytes, pos, baseOffset);
      if (length > BigInt(bytes.length - pos)) {
        fail(`field ${field} claims ${length} bytes but only ${bytes.length - pos} remain`);
      }
      const size = Number(length);
      yield { field, wireType, bytes: bytes.subarray(pos, pos + size), offset: baseOffset + pos };
      pos += size;
    } else {
      fail(`unsupported wire type ${wireType}`, start);
    }
  }
}

/** Reads one varint at `pos`; returns it and the position after it. */
function decodeVarint(bytes: Uint8Array, pos: number, baseOffset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new ProtoFormatError('truncated varint', baseOffset + pos);
    const byte = bytes[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new ProtoFormatError('varint longer than 10 bytes', baseOffset + pos);
}

/** A length-delimited field as UTF-8 text. */
export function protoString(field: ProtoField): string {
  return field.wireType === 2 ? new TextDecoder().decode(field.bytes) : '';
}

/** A varint field as a JS number (int64 read as two's complement, so -1 stays -1). */
export function protoInt(field: ProtoField): number {
  return field.wireType === 0 ? Number(BigInt.asIntN(64, field.value)) : Number.NaN;
}

/** The values of one occurrence of a `repeated int64` field, packed or not. */
export function protoInts(field: ProtoField): number[] {
  if (field.wireType === 0) return [protoInt(field)];
  if (field.wireType !== 2) return [];
  const values: number[] = [];
  let pos = 0;
  while (pos < field.bytes.length) {
    let value: bigint;
    [value, pos] = decodeVarint(field.bytes, pos, field.offset);
    values.push(Number(BigInt.asIntN(64, value)));
  }
  return values;
}
