// Runs as is: node --conditions=@omnifuse/source --import tsx packages/modality-audio/examples/features.mjs
import {
  createFeatureExtractor,
  decodeWav,
  downmix,
  encodeWav,
  fitDuration,
  resample,
} from '@omnifuse/modality-audio';

// 1. A WAV file in memory: one second of a 440 Hz tone, 16-bit PCM stereo at 44.1 kHz.
const rate = 44_100;
const tone = Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
const wav = encodeWav([tone, tone], rate);

// 2. Decode, downmix (mean of channels), resample to 16 kHz with a band-limited filter, fix 0.5 s.
const decoded = decodeWav(wav);
const mono = downmix(decoded.samples);
const at16k = fitDuration(resample(mono, decoded.sampleRate, 16_000), 8_000, { mode: 'centre' });

// 3. Log-mel and MFCC (+ deltas) features, librosa-compatible.
const logMel = createFeatureExtractor({
  sampleRate: 16_000,
  kind: 'logmel',
  nFft: 512,
  hopLength: 160,
  nMels: 40,
});
const mfcc = createFeatureExtractor({
  sampleRate: 16_000,
  kind: 'mfcc',
  nFft: 512,
  hopLength: 160,
  nMfcc: 13,
  deltas: 2,
});
const mel = logMel.extract(at16k);
const peakBand = mel.data.subarray(0, mel.dims).reduce((best, v, i, row) => (v > row[best] ? i : best), 0);
console.log(
  `decoded ${decoded.channels} channels at ${decoded.sampleRate} Hz; resampled to ${at16k.length} samples at 16 kHz`,
);
console.log(
  `log-mel ${mel.frames}×${mel.dims}, loudest band ${peakBand}; MFCC+Δ+ΔΔ ${mfcc.extract(at16k).frames}×${mfcc.dims}`,
);
