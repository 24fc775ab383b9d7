/**
 * Mono audio in memory: samples in [-1, 1] at `sampleRate` Hz. The same shape core's schema
 * inference recognises as audio given in code.
 */
export interface DecodedAudio {
  sampleRate: number;
  samples: Float32Array;
}

export type WavEncoding = 'pcm' | 'float';

/** A decoded WAV: one Float32Array per channel, all the same length. */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  samples: Float32Array[];
  format: {
    encoding: WavEncoding;
    /** Container size of one sample (8, 16, 24, 32 or 64). */
    bitsPerSample: number;
  };
  /**
   * True when the data chunk claimed more bytes than the file holds (a recorder that died before
   * fixing the header, or a streamed size of 0xFFFFFFFF): the whole frames present were decoded.
   */
  truncated: boolean;
}
