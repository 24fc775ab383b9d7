import { type AudioSource, wavError } from './audio-error.js';
import type { AudioFileEncoding } from './decoded-audio.js';
import { readStreamInfo } from './flac-stream-info.js';
import { mpegFrameInfo, readMpegStreamTag } from './mp3-header.js';
import { readOggStreamInfo } from './ogg-header.js';
import { type MpegHeader, mpegHeaderAt, sniffContainer } from './sniff-container.js';
import { readWavHeader } from './wav-header.js';

/** What an audio file's header says, read without decoding it (see `probeAudio`). */
export interface AudioProbe {
  format: 'wav' | 'flac' | 'ogg' | 'mp3';
  sampleRate: number;
  channels: number;
  /**
   * Sample frames the clip holds, as far as the header says: a WAV's whole frames present,
   * FLAC's STREAMINFO total, an Ogg stream's last granule position (less Opus pre-skip), an MP3's
   * Xing/Info or VBRI frame count (less the LAME delay and padding) or an estimate from the
   * bitrate. Absent when the header does not say (FLAC total 0, Ogg cut short, free-format MP3).
   */
  frames?: number;
  /** `frames / sampleRate`. */
  durationSeconds?: number;
  /** True when the header states the count; false for an MP3 estimated from its bitrate. */
  exact: boolean;
  encoding?: AudioFileEncoding | 'opus';
  /** Bits per stored sample (WAV, FLAC). */
  bitsPerSample?: number;
  /** WAV: frames the data chunk declares, which a file that lies about its length exceeds… */
  declaredFrames?: number;
  /** …the whole frames actually present. */
  availableFrames?: number;
  /**
   * Bytes are missing: a WAV data chunk declares more than the file holds, an Ogg file does not
   * end with a whole end-of-stream page, an MP3 is shorter than its Xing/Info tag's byte count.
   */
  truncated: boolean;
}

/**
 * Reads an audio file's container header, never its stream: WAV `fmt ` and `data` chunk headers;
 * FLAC STREAMINFO; Ogg's Vorbis or Opus identification header and the granule position of the page
 * that ends the file; an MP3's first frame header and Xing/Info/VBRI tag. Cheap enough to run on
 * every record (see the encoders' `check`).
 *
 * An unknown format or an unreadable or cut header throws an `OmnifuseError` (`E_INPUT`) with
 * `details.problem` as `decodeAudio` would (`unknown-format`, `truncated-header`,
 * `truncated-stream`, `unsupported-encoding`, …); a clip with no samples is not an error here
 * (`frames: 0`).
 */
export function probeAudio(bytes: Uint8Array, where?: AudioSource): AudioProbe {
  const container = sniffContainer(bytes);
  switch (container.kind) {
    case 'wav':
      return probeWav(bytes, where);
    case 'flac': {
      const info = readStreamInfo(bytes.subarray(container.start), where);
      return {
        format: 'flac',
        sampleRate: info.sampleRate,
        channels: info.channels,
        ...counted(info.totalSamples > 0 ? info.totalSamples : undefined, info.sampleRate),
        exact: info.totalSamples > 0,
        encoding: 'flac',
        bitsPerSample: info.bitsPerSample,
        truncated: false,
      };
    }
    case 'ogg': {
      const info = readOggStreamInfo(bytes, where);
      const frames =
        info.lastGranule === undefined ? undefined : Math.max(0, info.lastGranule - info.preSkip);
      return {
        format: 'ogg',
        sampleRate: info.sampleRate,
        channels: info.channels,
        ...counted(frames, info.sampleRate),
        exact: frames !== undefined,
        encoding: info.codec,
        truncated: !info.endOfStream,
      };
    }
    case 'mp3':
      return probeMp3(bytes, container.start);
    case 'adts':
      throw wavError('unsupported-encoding', 'unsupported encoding: AAC (ADTS)', where, {
        expected: 'WAV, FLAC, MP3 or Ogg',
        found: 'AAC (ADTS)',
      });
    case 'unknown':
      throw wavError('unknown-format', 'unknown audio format: not WAV, FLAC, MP3 or Ogg', where, {
        expected: "'RIFF'…'WAVE', 'fLaC', 'OggS', 'ID3' or an MPEG frame sync",
        found: bytes.length < 4 ? `${bytes.length} bytes` : container.found,
      });
  }
}

function probeWav(bytes: Uint8Array, where?: AudioSource): AudioProbe {
  const header = readWavHeader(bytes, where);
  const { format } = header;
  return {
    format: 'wav',
    sampleRate: format.sampleRate,
    channels: format.channels,
    ...counted(header.availableFrames, format.sampleRate),
    exact: true,
    encoding: format.encoding,
    bitsPerSample: format.bitsPerSample,
    declaredFrames: header.declaredFrames,
    availableFrames: header.availableFrames,
    truncated: header.truncated,
  };
}

function probeMp3(bytes: Uint8Array, start: number): AudioProbe {
  const header = mpegHeaderAt(bytes, start) as MpegHeader;
  const frame = mpegFrameInfo(bytes, start, header);
  const tag = readMpegStreamTag(bytes, start, header);
  const base = {
    format: 'mp3',
    sampleRate: frame.sampleRate,
    channels: header.mono ? 1 : 2,
    encoding: 'mp3',
    // Encoders disagree on whether the byte count includes a leading ID3v2 tag; allow for either.
    truncated: tag?.bytes !== undefined && bytes.length < tag.bytes,
  } as const;
  if (tag?.frames !== undefined) {
    const frames = Math.max(0, tag.frames * frame.samplesPerFrame - tag.delay - tag.padding);
    return { ...base, ...counted(frames, frame.sampleRate), exact: true };
  }
  if (frame.bitrate === 0) return { ...base, exact: false };
  // No tag: assume the first frame's bitrate throughout (exact for CBR), less an ID3v1 tag.
  const id3v1 = bytes.length - start >= 128 && isId3v1(bytes) ? 128 : 0;
  const seconds = ((bytes.length - start - id3v1) * 8) / frame.bitrate;
  return { ...base, ...counted(Math.round(seconds * frame.sampleRate), frame.sampleRate), exact: false };
}

function isId3v1(bytes: Uint8Array): boolean {
  const at = bytes.length - 128;
  return bytes[at] === 0x54 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x47; // 'TAG'
}

function counted(
  frames: number | undefined,
  sampleRate: number,
): { frames?: number; durationSeconds?: number } {
  return frames === undefined ? {} : { frames, durationSeconds: frames / sampleRate };
}
