/**
 * Good and broken audio files for tests, generated in memory (no binary fixtures): WAV variants
 * that lie or break in one way each, FLAC files that declare or really decode to hours of audio,
 * and Ogg files whose last granule position declares hours. Every file is under 1 MiB.
 */

import { concatBytes } from './bytes.js';

const TWO_PI = 2 * Math.PI;

// ---------------------------------------------------------------------------------------------
// WAV

export interface WavToneOptions {
  /** Default 44,100 Hz. */
  readonly sampleRate?: number;
  /** Default 0.25 s. */
  readonly seconds?: number;
}

/** A valid stereo 24-bit PCM WAV at 44.1 kHz: a 440 Hz tone on the left, 660 Hz on the right. */
export function stereoPcm24Wav(options: WavToneOptions = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 44_100;
  const frames = Math.round((options.seconds ?? 0.25) * sampleRate);
  return pcmWav(sampleRate, [tone(frames, sampleRate, 440), tone(frames, sampleRate, 660)], 24);
}

/**
 * A 16-bit mono WAV holding 0.1 s whose data chunk declares `declaredBytes` (default 1 GiB): what a
 * recorder that died before fixing its header, or a lying file, leaves.
 */
export function wavWithOversizedDataChunk(declaredBytes = 2 ** 30): Uint8Array {
  const wav = pcmWav(8000, [tone(800, 8000, 440)], 16);
  new DataView(wav.buffer).setUint32(40, declaredBytes, true);
  return wav;
}

/** A well-formed 16-bit mono WAV whose data chunk is empty. */
export function wavWithZeroSamples(): Uint8Array {
  return pcmWav(8000, [new Float64Array(0)], 16);
}

/** A 32-bit float mono WAV (8 kHz, 0.05 s) with a NaN at frame `nanAt` (default 100). */
export function floatWavWithNaN(nanAt = 100): Uint8Array {
  const samples = tone(400, 8000, 440);
  samples[nanAt] = Number.NaN;
  return floatWav(8000, samples);
}

/** The first `bytes` (default 20) bytes of a valid WAV: cut inside the fmt chunk. */
export function wavWithTruncatedHeader(bytes = 20): Uint8Array {
  return stereoPcm24Wav({ seconds: 0.01 }).slice(0, bytes);
}

/** 16-bit or 24-bit integer PCM; `channels` hold samples in [-1, 1]. */
export function pcmWav(sampleRate: number, channels: readonly Float64Array[], bits: 16 | 24): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const width = bits / 8;
  const data = new Uint8Array(frames * channels.length * width);
  const scale = 2 ** (bits - 1);
  let at = 0;
  for (let f = 0; f < frames; f++) {
    for (const channel of channels) {
      const q = Math.max(-scale, Math.min(scale - 1, Math.round(channel[f]! * scale)));
      for (let b = 0; b < width; b++) data[at++] = (q >> (8 * b)) & 0xff;
    }
  }
  return riffWave(1, channels.length, sampleRate, bits, data);
}

function floatWav(sampleRate: number, samples: Float64Array): Uint8Array {
  const data = new Uint8Array(samples.length * 4);
  const view = new DataView(data.buffer);
  for (const [i, x] of samples.entries()) view.setFloat32(i * 4, x, true);
  return riffWave(3, 1, sampleRate, 32, data);
}

function riffWave(code: number, channels: number, sampleRate: number, bits: number, data: Uint8Array) {
  const out = new Uint8Array(44 + data.length + (data.length % 2));
  const view = new DataView(out.buffer);
  out.set(ascii('RIFF'), 0);
  view.setUint32(4, out.length - 8, true);
  out.set(ascii('WAVEfmt '), 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, code, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, (sampleRate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  out.set(ascii('data'), 36);
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

// ---------------------------------------------------------------------------------------------
// FLAC

export interface FlacBombOptions {
  /** Seconds of audio the frames decode to. Default 3,600 (one hour). */
  readonly seconds?: number;
  /** Default 8,000 Hz. */
  readonly sampleRate?: number;
  /** 1 or 2. Default 1. */
  readonly channels?: 1 | 2;
  /** Samples per frame, at most 65,535. Default 65,535 (about 12 bytes per frame). */
  readonly blockSize?: number;
  /** Write the true total in STREAMINFO (default), or 0 ("unknown") so only decoding finds it. */
  readonly declareTotal?: boolean;
  /** The constant sample value (16-bit signed). Default 1,700. */
  readonly value?: number;
}

/**
 * A real FLAC "bomb": 16-bit frames of CONSTANT subframes, each with a correct CRC-8 header and
 * CRC-16 footer, so a conforming decoder turns a few kilobytes into `seconds` of audio.
 */
export function flacConstantBomb(options: FlacBombOptions = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 8000;
  const channels = options.channels ?? 1;
  const blockSize = options.blockSize ?? 65_535;
  const total = Math.round((options.seconds ?? 3600) * sampleRate);
  const value = (options.value ?? 1700) & 0xffff;
  const frames: Uint8Array[] = [];
  for (let number = 0, done = 0; done < total; number++) {
    const size = Math.min(blockSize, total - done);
    const subframe = [0x00, value >> 8, value & 0xff]; // CONSTANT (type 000000), then the sample
    frames.push(
      flacFrame({ number, size, sampleRate, channels, bits: 16, subframes: repeat(subframe, channels) }),
    );
    done += size;
  }
  const info = {
    sampleRate,
    channels,
    bits: 16,
    blockSize,
    total: options.declareTotal === false ? 0 : total,
  };
  return concatBytes([flacHeader(info), ...frames]);
}

/**
 * A FLAC whose STREAMINFO declares `hours` (default 4) of 16-bit mono 8 kHz audio but holds only a
 * few real VERBATIM frames of a 440 Hz tone (0.5 s).
 */
export function flacDeclaringHours(hours = 4): Uint8Array {
  const sampleRate = 8000;
  const blockSize = 1000;
  const samples = tone(4000, sampleRate, 440);
  const frames: Uint8Array[] = [];
  for (let number = 0; number * blockSize < samples.length; number++) {
    const body = [0x02]; // VERBATIM (type 000001)
    for (const x of samples.subarray(number * blockSize, (number + 1) * blockSize)) {
      const q = Math.round(x * 32767);
      body.push((q >> 8) & 0xff, q & 0xff);
    }
    frames.push(flacFrame({ number, size: blockSize, sampleRate, channels: 1, bits: 16, subframes: body }));
  }
  const total = Math.round(hours * 3600 * sampleRate);
  return concatBytes([flacHeader({ sampleRate, channels: 1, bits: 16, blockSize, total }), ...frames]);
}

interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bits: number;
  blockSize: number;
  total: number;
}

/** `fLaC` and a last-metadata-block STREAMINFO (frame sizes unknown, MD5 zero = unchecked). */
function flacHeader(info: FlacStreamInfo): Uint8Array {
  const out = new Uint8Array(4 + 4 + 34);
  out.set(ascii('fLaC'));
  out.set([0x80, 0, 0, 34], 4);
  const w = new BitWriter();
  w.write(info.blockSize, 16).write(info.blockSize, 16).write(0, 24).write(0, 24);
  w.write(info.sampleRate, 20)
    .write(info.channels - 1, 3)
    .write(info.bits - 1, 5);
  w.write(Math.floor(info.total / 2 ** 32), 4).write(info.total >>> 0, 32);
  out.set(w.bytes(), 8); // the MD5 that follows stays zero
  return out;
}

interface FlacFrameSpec {
  number: number;
  size: number;
  sampleRate: number;
  channels: number;
  bits: 16;
  /** Already byte-aligned subframe bytes for every channel. */
  subframes: number[];
}

/**
 * One fixed-blocksize frame: explicit 16-bit block size and sample rate in the header (so even a
 * mono CONSTANT frame is 15 bytes: codec-parser, under @wasm-audio-decoders/flac, drops a final
 * frame of 13), coded depth, CRC-8 and CRC-16.
 */
function flacFrame(spec: FlacFrameSpec): Uint8Array {
  const inTens = spec.sampleRate > 0xffff;
  const rate = inTens ? spec.sampleRate / 10 : spec.sampleRate;
  if (!Number.isInteger(rate) || rate > 0xffff)
    throw new Error(`no FLAC frame rate for ${spec.sampleRate} Hz`);
  const header = [
    0xff,
    0xf8,
    (0b0111 << 4) | (inTens ? 0b1110 : 0b1101),
    ((spec.channels - 1) << 4) | 0b1000 /* 16 bits */,
  ];
  header.push(
    ...utf8Number(spec.number),
    (spec.size - 1) >> 8,
    (spec.size - 1) & 0xff,
    rate >> 8,
    rate & 0xff,
  );
  header.push(crc8(header));
  const frame = [...header, ...spec.subframes];
  const crc = crc16(frame);
  frame.push(crc >> 8, crc & 0xff);
  return Uint8Array.from(frame);
}

/** FLAC's "UTF-8" coding of a frame number: a lead byte of k+1 ones, then k 6-bit continuations. */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  let k = 1;
  while (n >= 2 ** (5 * k + 6)) k++;
  const continuations = Array.from({ length: k }, (_, i) => 0x80 | ((n >>> (6 * (k - 1 - i))) & 0x3f));
  return [((0xff00 >> (k + 1)) & 0xff) | (n >>> (6 * k)), ...continuations];
}

function crc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// ---------------------------------------------------------------------------------------------
// Ogg

/**
 * A copy of an Ogg file whose final page's granule position is `granule` (e.g. hours of samples
 * on a real short Vorbis clip), with that page's CRC recomputed so it still reads as intact.
 */
export function withOggFinalGranule(ogg: Uint8Array, granule: number): Uint8Array {
  const out = ogg.slice();
  const last = lastOggPage(out);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(last + 6, granule >>> 0, true);
  view.setUint32(last + 10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(last + 22, 0, true);
  const end = last + 27 + out[last + 26]! + sumOf(out.subarray(last + 27, last + 27 + out[last + 26]!));
  view.setUint32(last + 22, oggCrc(out.subarray(last, end)), true);
  return out;
}

/**
 * A structurally valid Ogg Opus file (stereo OpusHead with 312 samples pre-skip, OpusTags, 50
 * one-byte packets = 1 s of 20 ms frames) whose final page declares `hours` (default 3) at 48 kHz.
 * Only its headers are meant to be read: the packets are empty (packet-loss) frames.
 */
export function oggOpusDeclaringHours(hours = 3): Uint8Array {
  const preSkip = 312;
  const head = new Uint8Array(19);
  head.set(ascii('OpusHead'));
  const view = new DataView(head.buffer);
  view.setUint8(8, 1); // version
  view.setUint8(9, 2); // channels
  view.setUint16(10, preSkip, true);
  view.setUint32(12, 48_000, true); // input rate, informational
  const vendor = ascii('omnifuse test-utils');
  const tags = concatBytes([ascii('OpusTags'), u32le(vendor.length), vendor, u32le(0)]);
  const packets = Array.from({ length: 50 }, () => Uint8Array.of(0xfc)); // CELT FB 20 ms, code 0, no data
  const serial = 0x0f05e;
  return concatBytes([
    oggPage({ serial, sequence: 0, granule: 0, flags: 0x02, packets: [head] }),
    oggPage({ serial, sequence: 1, granule: 0, flags: 0, packets: [tags] }),
    oggPage({
      serial,
      sequence: 2,
      granule: Math.round(hours * 3600 * 48_000) + preSkip,
      flags: 0x04,
      packets,
    }),
  ]);
}

interface OggPageSpec {
  serial: number;
  sequence: number;
  granule: number;
  /** 0x02 beginning of stream, 0x04 end of stream. */
  flags: number;
  packets: Uint8Array[];
}

function oggPage(spec: OggPageSpec): Uint8Array {
  const lacing: number[] = [];
  for (const packet of spec.packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(255, left));
      if (left < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error('too many segments for one Ogg page');
  const header = new Uint8Array(27 + lacing.length);
  const view = new DataView(header.buffer);
  header.set(ascii('OggS'));
  header[5] = spec.flags;
  view.setUint32(6, spec.granule >>> 0, true);
  view.setUint32(10, Math.floor(spec.granule / 2 ** 32), true);
  view.setUint32(14, spec.serial, true);
  view.setUint32(18, spec.sequence, true);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = concatBytes([header, ...spec.packets]);
  new DataView(page.buffer).setUint32(22, oggCrc(page), true);
  return page;
}

/** Offset of the last page: walks the page headers from the start. */
function lastOggPage(ogg: Uint8Array): number {
  let at = 0;
  let last = -1;
  while (at + 27 <= ogg.length) {
    if (String.fromCharCode(...ogg.subarray(at, at + 4)) !== 'OggS') throw new Error(`no Ogg page at ${at}`);
    last = at;
    const segments = ogg[at + 26]!;
    at += 27 + segments + sumOf(ogg.subarray(at + 27, at + 27 + segments));
  }
  if (last < 0) throw new Error('no Ogg page');
  return last;
}

const OGG_CRC_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection, initial 0) over a page with its CRC zeroed. */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function tone(frames: number, sampleRate: number, hz: number, amplitude = 0.5): Float64Array {
  return Float64Array.from(
    { length: frames },
    (_, i) => amplitude * Math.sin((TWO_PI * hz * i) / sampleRate),
  );
}

class BitWriter {
  private readonly out: number[] = [];
  private acc = 0;
  private filled = 0;

  write(value: number, bits: number): this {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** i) & 1);
      if (++this.filled === 8) {
        this.out.push(this.acc);
        this.acc = 0;
        this.filled = 0;
      }
    }
    return this;
  }

  bytes(): Uint8Array {
    if (this.filled > 0) throw new Error('BitWriter: not byte-aligned');
    return Uint8Array.from(this.out);
  }
}

function repeat<T>(items: readonly T[], times: number): T[] {
  return Array.from({ length: times }, () => items).flat();
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

function sumOf(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum += b;
  return sum;
}
