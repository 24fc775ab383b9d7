export type { AudioProblem, AudioSource, WavProblem } from './audio-error.js';
export { decodeAudio } from './decode-audio.js';
export type { DecodeAudioOptions } from './decode-limits.js';
export { decodeWav } from './decode-wav.js';
export type {
  AudioFileEncoding,
  CompressedEncoding,
  DecodedAudio,
  DecodedAudioFile,
  DecodedWav,
  WavEncoding,
} from './decoded-audio.js';
export { downmix } from './downmix.js';
export { encodeWav } from './encode-wav.js';
export { type AudioProbe, probeAudio } from './probe-audio.js';
