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

/** Lossy or lossless codecs `decodeAudio` reads besides WAV. */
export type CompressedEncoding = 'flac' | 'mp3' | 'vorbis';

/** How the samples were stored: WAV's `pcm`/`float`, or a compressed codec. */
export type AudioFileEncoding = WavEncoding | CompressedEncoding;

/**
 * A decoded audio file of any supported format: one Float32Array per channel in [-1, 1], all the
 * same length (the shape `decodeWav` returns, so `downmix(result.samples)` works).
 */
export interface DecodedAudioFile {
  sampleRate: number;
  channels: number;
  samples: Float32Array[];
  encoding: AudioFileEncoding;
  /** Bits per source sample where the format has them (WAV, FLAC); absent for lossy codecs. */
  bitsPerSample?: number;
  /** WAV only: the data chunk claimed more bytes than the file holds (see `DecodedWav`). Compressed streams that are cut short throw instead. */
  truncated: boolean;
  /**
   * MP3 only: frames mpg123 could not decode and skipped (it resynchronises on the next frame
   * header), so the clip may have gaps. Always 0 for WAV, FLAC and Vorbis, which throw instead.
   */
  decodeErrors: number;
}
