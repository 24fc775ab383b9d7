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
