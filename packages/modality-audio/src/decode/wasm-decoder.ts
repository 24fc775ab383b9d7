import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { type AudioSource, wavError } from './audio-error.js';
import type { DecodedAudioFile } from './decoded-audio.js';

/** What every @wasm-audio-decoders / mpg123-decoder call returns. */
export interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber: number }[];
}

interface WasmDecoder {
  readonly ready: Promise<void>;
  free(): void;
}

/**
 * Loads a decoder module on first use (so WAV-only users never load the WebAssembly), runs one
 * decode, and always frees the decoder's WebAssembly memory. A failure to load is the runtime's
 * problem (`E_BACKEND_UNAVAILABLE`); an exception while decoding is the input's (`corrupt-stream`).
 */
export async function withWasmDecoder<D extends WasmDecoder>(
  packageName: string,
  create: () => Promise<D>,
  decode: (decoder: D) => WasmDecoded | Promise<WasmDecoded>,
  where: AudioSource | undefined,
): Promise<WasmDecoded> {
  let decoder: D;
  try {
    decoder = await create();
    await decoder.ready;
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message: `could not load the WebAssembly decoder ${packageName}: ${messageOf(error)}`,
      ...where,
      details: { problem: 'decoder-unavailable', package: packageName },
      cause: error,
    });
  }
  try {
    return await decode(decoder);
  } catch (error) {
    // Ours (a limit passed part-way): already says what is wrong.
    if (OmnifuseError.isInstance(error)) throw error;
    throw wavError('corrupt-stream', `the ${packageName} decoder failed: ${messageOf(error)}`, where, {
      cause: error,
    });
  } finally {
    try {
      decoder.free();
    } catch {
      // Freeing a decoder whose instance already failed can throw; there is nothing left to free.
    }
  }
}

/** A decoder that takes its input a chunk at a time (all three packages' `decode`). */
export interface ChunkDecoder {
  decode(chunk: Uint8Array): WasmDecoded | Promise<WasmDecoded>;
  /** Decodes what the decoder still holds at the end of input (FLAC, Ogg). */
  flush?(): Promise<WasmDecoded>;
}

export interface DecodeBound {
  /** Stop once more sample frames than this are decoded; Infinity for no limit. */
  maxFrames: number;
  /**
   * The most sample frames one input byte of this format can decode to (a FLAC frame of CONSTANT
   * subframes: 65,536 samples in 12 bytes). Sizes the chunks so that one chunk cannot overshoot the
   * limit by more than a sixteenth of it (or `MIN_CHUNK` bytes' worth).
   */
  worstFramesPerByte: number;
  /** The error to throw when more than `maxFrames` were decoded. */
  tooLong(frames: number, sampleRate: number): Error;
  /**
   * Ascending offsets where a chunk may end (Ogg page ends), for decoders that pay for a call
   * that completes no page; the first chunk runs at least to `boundaries[0]`. Default: anywhere.
   */
  boundaries?: readonly number[];
}

/**
 * Input chunks when there is no limit, or the limit is generous. Smaller chunks cost little: about
 * 40 µs a call (FLAC, 64-byte chunks) beside the 2.5 ms libFLAC takes to decode a 4 KB file.
 */
const MAX_CHUNK = 1 << 20;
/** Below this, per-call overhead dominates; the overshoot it allows is `64 × worstFramesPerByte`. */
const MIN_CHUNK = 64;

/**
 * Feeds `bytes` to `decoder` in chunks and joins the output, stopping with `bound.tooLong` as soon
 * as more than `bound.maxFrames` frames came out, so that a stream whose header lies (or says
 * nothing) about its length cannot fill memory: what is held is at most the limit plus one
 * chunk's output (then a joined copy of it).
 */
export async function decodeBounded(
  decoder: ChunkDecoder,
  bytes: Uint8Array,
  bound: DecodeBound,
): Promise<WasmDecoded> {
  const chunk = Math.max(
    MIN_CHUNK,
    Math.min(MAX_CHUNK, Math.floor(bound.maxFrames / 16 / bound.worstFramesPerByte)),
  );
  const parts: WasmDecoded[] = [];
  let frames = 0;
  const take = (decoded: WasmDecoded) => {
    parts.push(decoded);
    frames += decoded.samplesDecoded;
    if (frames > bound.maxFrames) throw bound.tooLong(frames, decoded.sampleRate);
  };
  const ends = chunkEnds(bytes.length, chunk, bound.boundaries);
  for (let at = 0, i = 0; at < bytes.length; at = ends[i++]!) {
    take(await decoder.decode(bytes.subarray(at, ends[i])));
  }
  if (decoder.flush) take(await decoder.flush());
  return joinDecoded(parts);
}

/** Where each chunk ends: every `chunk` bytes, or at the last boundary within that (at least one). */
function chunkEnds(length: number, chunk: number, boundaries?: readonly number[]): number[] {
  if (!boundaries?.length)
    return Array.from({ length: Math.ceil(length / chunk) }, (_, i) => Math.min(length, (i + 1) * chunk));
  const ends: number[] = [];
  let start = 0;
  for (let i = 0; i < boundaries.length; ) {
    let end = boundaries[i++]!;
    while (i < boundaries.length && boundaries[i]! - start <= chunk) end = boundaries[i++]!;
    ends.push(end);
    start = end;
  }
  if (start < length) ends.push(length);
  return ends;
}

/** Concatenates chunk outputs channel by channel. */
function joinDecoded(parts: readonly WasmDecoded[]): WasmDecoded {
  const withAudio = parts.filter((p) => p.samplesDecoded > 0);
  const errors = parts.flatMap((p) => p.errors);
  const sampleRate = withAudio[0]?.sampleRate ?? parts.find((p) => p.sampleRate > 0)?.sampleRate ?? 0;
  if (withAudio.length === 1) return { ...withAudio[0]!, errors };
  const channels = Math.max(0, ...withAudio.map((p) => p.channelData.length));
  const samplesDecoded = withAudio.reduce((n, p) => n + p.samplesDecoded, 0);
  const channelData = Array.from({ length: channels }, (_, c) => {
    const out = new Float32Array(samplesDecoded);
    let at = 0;
    for (const part of withAudio) {
      out.set(part.channelData[c]?.subarray(0, part.samplesDecoded) ?? new Float32Array(0), at);
      at += part.samplesDecoded;
    }
    return out;
  });
  return { channelData, samplesDecoded, sampleRate, errors };
}

/**
 * Checks what a decoder returned and shapes it like `decodeWav`'s result: a sane rate and channel
 * count, equal-length channels, at least one sample, and no NaN or Inf.
 */
export function checkedAudio(
  decoded: WasmDecoded,
  channels: number,
  rest: Pick<DecodedAudioFile, 'encoding' | 'bitsPerSample' | 'decodeErrors'>,
  where: AudioSource | undefined,
): DecodedAudioFile {
  const samples = decoded.channelData.slice(0, channels);
  const frames = decoded.samplesDecoded;
  if (frames === 0) {
    throw wavError('empty-clip', `empty clip: the ${rest.encoding} stream decodes to no samples`, where, {
      expected: '>= 1 sample',
      found: '0 samples',
    });
  }
  const rateOk = Number.isInteger(decoded.sampleRate) && decoded.sampleRate > 0;
  if (!rateOk || samples.length !== channels || samples.some((c) => c.length !== frames)) {
    throw wavError('corrupt-stream', `the ${rest.encoding} decoder returned an inconsistent result`, where, {
      found: { sampleRate: decoded.sampleRate, channels: samples.map((c) => c.length), frames },
    });
  }
  for (const [channel, data] of samples.entries()) {
    const frame = data.findIndex((x) => !Number.isFinite(x));
    if (frame >= 0) {
      throw wavError(
        'non-finite-sample',
        `non-finite sample ${data[frame]} in decoded ${rest.encoding}`,
        where,
        {
          details: { frame, channel },
        },
      );
    }
  }
  return {
    sampleRate: decoded.sampleRate,
    channels,
    samples,
    ...rest,
    truncated: false,
  };
}

/** The decoder's first complaints, for an error's `found`. */
export function describeErrors(errors: WasmDecoded['errors']): string[] {
  return errors.slice(0, 3).map((e) => `frame ${e.frameNumber}: ${e.message}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
