/** Builds WAV files for tests: every supported encoding, plus hooks to break them on purpose. */
export interface TestWavOptions {
  sampleRate: number;
  /** Per-channel samples in [-1, 1] (float encodings accept anything, NaN included). */
  channels: Float64Array[] | Float32Array[];
  encoding: 'pcm' | 'float';
  bitsPerSample: number;
  extensible?: boolean;
  /** Overrides the format code written (e.g. 7 for µ-law) without changing how data is laid out. */
  formatCode?: number;
  /** Extra chunks written before `fmt ` (tests unknown-chunk skipping and pad bytes). */
  chunksBefore?: { id: string; body: Uint8Array }[];
  /** Put the data chunk before the fmt chunk. */
  dataFirst?: boolean;
  /** Overrides the size written in the data chunk header. */
  dataSizeOverride?: number;
}

/** The value a decoder should return for `x` at this encoding (quantised the way the writer does). */
export function quantise(x: number, encoding: 'pcm' | 'float', bits: number): number {
  if (encoding === 'float') return bits === 32 ? Math.fround(x) : x;
  const scale = 2 ** (bits - 1);
  return Math.max(-scale, Math.min(scale - 1, Math.round(x * scale))) / scale;
}

export function encodeTestWav(options: TestWavOptions): Uint8Array {
  const { channels, encoding, bitsPerSample: bits, sampleRate } = options;
  const count = channels.length;
  const frames = channels[0]?.length ?? 0;
  const bytesPer = bits / 8;
  const data = new DataView(new ArrayBuffer(frames * count * bytesPer));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < count; c++) {
      const at = (f * count + c) * bytesPer;
      const x = channels[c]![f]!;
      if (encoding === 'float') {
        if (bits === 32) data.setFloat32(at, x, true);
        else data.setFloat64(at, x, true);
        continue;
      }
      const q = Math.round(quantise(x, 'pcm', bits) * 2 ** (bits - 1));
      if (bits === 8) data.setUint8(at, q + 128);
      else if (bits === 16) data.setInt16(at, q, true);
      else if (bits === 24) {
        data.setUint8(at, q & 0xff);
        data.setUint8(at + 1, (q >> 8) & 0xff);
        data.setInt8(at + 2, q >> 16);
      } else data.setInt32(at, q, true);
    }
  }

  const baseCode = options.formatCode ?? (encoding === 'pcm' ? 1 : 3);
  const fmt = new DataView(new ArrayBuffer(options.extensible ? 40 : 16));
  fmt.setUint16(0, options.extensible ? 0xfffe : baseCode, true);
  fmt.setUint16(2, count, true);
  fmt.setUint32(4, sampleRate, true);
  fmt.setUint32(8, sampleRate * count * bytesPer, true);
  fmt.setUint16(12, count * bytesPer, true);
  fmt.setUint16(14, bits, true);
  if (options.extensible) {
    fmt.setUint16(16, 22, true);
    fmt.setUint16(18, bits, true);
    fmt.setUint32(20, count === 2 ? 3 : 0, true);
    const tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    fmt.setUint16(24, baseCode, true);
    for (const [i, b] of tail.entries()) fmt.setUint8(26 + i, b);
  }

  const fmtChunk = chunk('fmt ', new Uint8Array(fmt.buffer));
  const dataChunk = chunk('data', new Uint8Array(data.buffer), options.dataSizeOverride);
  const parts = [
    ascii('WAVE'),
    ...(options.chunksBefore ?? []).map((c) => chunk(c.id, c.body)),
    ...(options.dataFirst ? [dataChunk, fmtChunk] : [fmtChunk, dataChunk]),
  ];
  const body = concat(parts);
  return concat([ascii('RIFF'), u32(body.length), body]);
}

function chunk(id: string, body: Uint8Array, sizeOverride?: number): Uint8Array {
  const pad = body.length % 2 ? new Uint8Array(1) : new Uint8Array(0);
  return concat([ascii(id), u32(sizeOverride ?? body.length), body, pad]);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
