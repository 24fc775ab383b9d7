export type { AudioSource, WavProblem } from './audio-error.js';
export { decodeWav } from './decode-wav.js';
export type { DecodedAudio, DecodedWav, WavEncoding } from './decoded-audio.js';
export { downmix } from './downmix.js';
