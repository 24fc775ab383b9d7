import { describe, expect, it } from 'vitest';
import { ProtoFormatError, protoInt, protoInts, protoString, readProtoFields } from './protobuf-reader.js';
import { ProtoWriter } from './protobuf-writer.js';

describe('protobuf wire format', () => {
  it('round-trips varints (negative int64 included), floats, strings, packed lists and messages', () => {
    const bytes = new ProtoWriter()
      .varint(1, 0)
      .varint(2, 300)
      .varint(3, -1)
      .varint(4, 2n ** 40n)
      .float(5, 1.5)
      .string(6, 'Conv ✓')
      .packedVarints(7, [3, -2, 70000])
      .message(8, (m) => m.varint(1, 7).string(2, 'inner'))
      .finish();
    // Known encodings: 300 → ac 02; -1 → ten bytes.
    expect([...bytes.subarray(2, 5)]).toEqual([0x10, 0xac, 0x02]);
    const fields = [...readProtoFields(bytes)];
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(protoInt(fields[0]!)).toBe(0);
    expect(protoInt(fields[1]!)).toBe(300);
    expect(protoInt(fields[2]!)).toBe(-1);
    expect(protoInt(fields[3]!)).toBe(2 ** 40);
    const float = fields[4]!;
    expect(float.wireType).toBe(5);
    if (float.wireType === 5) expect(new DataView(float.bytes.slice().buffer).getFloat32(0, true)).toBe(1.5);
    expect(protoString(fields[5]!)).toBe('Conv ✓');
    expect(protoInts(fields[6]!)).toEqual([3, -2, 70000]);
    const inner = fields[7]!;
    if (inner.wireType !== 2) throw new Error('expected a message');
    const nested = [...readProtoFields(inner.bytes, inner.offset)];
    expect(protoInt(nested[0]!)).toBe(7);
    expect(protoString(nested[1]!)).toBe('inner');
  });

  it('fails with an offset on truncated or foreign bytes instead of reading past the end', () => {
    const bytes = new ProtoWriter().string(1, 'hello world').finish();
    const read = (b: Uint8Array) => () => [...readProtoFields(b)];
    expect(read(bytes.subarray(0, 5))).toThrow(ProtoFormatError);
    expect(read(bytes.subarray(0, 5))).toThrow(/claims 11 bytes but only 3 remain at byte 2/);
    expect(read(Uint8Array.of(0x08, 0x80))).toThrow(/truncated varint/);
    expect(read(Uint8Array.of(0x0b))).toThrow(/unsupported wire type 3/);
    expect(read(Uint8Array.of(0x00))).toThrow(/field number 0/);
    expect(read(new Uint8Array(11).fill(0xff))).toThrow(/varint longer than 10 bytes/);
    // A nested reader reports offsets into the whole buffer.
    expect(() => [...readProtoFields(Uint8Array.of(0x0a), 100)]).toThrow(/at byte 101/);
  });
});
