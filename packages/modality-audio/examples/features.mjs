// Runs as is: node --conditions=@omnifuse/source --import tsx packages/modality-audio/examples/features.mjs
import { createFeatureExtractor, decodeWav, downmix, fitDuration, resample } from '@omnifuse/modality-audio';

// 1. A WAV file in memory: one second of a 440 Hz tone, 16-bit PCM stereo at 44.1 kHz.
const rate = 44_100;
const frames = rate;
const wav = new DataView(new ArrayBuffer(44 + frames * 4));
const ascii = (offset, text) => {
  for (let i = 0; i < text.length; i++) wav.setUint8(offset + i, text.charCodeAt(i));
};
ascii(0, 'RIFF');
wav.setUint32(4, 36 + frames * 4, true);
ascii(8, 'WAVEfmt ');
wav.setUint32(16, 16, true);
wav.setUint16(20, 1, true); // PCM
wav.setUint16(22, 2, true); // stereo
wav.setUint32(24, rate, true);
wav.setUint32(28, rate * 4, true);
wav.setUint16(32, 4, true);
wav.setUint16(34, 16, true);
ascii(36, 'data');
wav.setUint32(40, frames * 4, true);
for (let i = 0; i < frames; i++) {
  const value = Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate));
  wav.setInt16(44 + 4 * i, value, true);
  wav.setInt16(46 + 4 * i, value, true);
}

// 2. Decode, downmix (mean of channels), resample to 16 kHz with a band-limited filter, fix 0.5 s.
const decoded = decodeWav(new Uint8Array(wav.buffer));
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
