import { readFileSync } from 'node:fs';
import type { MediaRef } from '@omnifuse/core';
import { sharedDataPath } from '@omnifuse/test-utils';
import { encodeTestWav } from '../decode/test-wav.js';

/** Shared by the encoder tests: a few FSDD clips plus decoded audio at another rate. */
export const FSDD_CLIPS = ['0_george_0.wav', '3_jackson_1.wav', '7_theo_2.wav'];

/** Call only inside `describeWithData(['fsdd', 'recordings'], …)`: reads the clips at collection time. */
export function fsddSamples() {
  const inline = (name: string): MediaRef => ({
    kind: 'inline',
    bytes: new Uint8Array(readFileSync(sharedDataPath('fsdd', 'recordings', name))),
  });
  return [
    ...FSDD_CLIPS.map(inline),
    { sampleRate: 16000, samples: Float32Array.from({ length: 6000 }, (_, i) => Math.sin(i / 5) * 0.5) },
  ];
}

const emptyWav = encodeTestWav({
  sampleRate: 8000,
  channels: [new Float32Array(0)],
  encoding: 'pcm',
  bitsPerSample: 16,
});
const randomBytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 7919 + 13) % 251);

export const BAD_AUDIO_INPUTS = [
  { value: { kind: 'inline', bytes: randomBytes }, reason: 'bytes that are no WAV' },
  { value: { kind: 'inline', bytes: emptyWav }, reason: 'a WAV with no samples' },
];

/** 0.5 s at 8 kHz, nFft 256, hop 64 → 63 frames. */
export const SMALL_LOGMEL = {
  sampleRate: 8000,
  duration: 0.5,
  features: { kind: 'logmel', nFft: 256, hopLength: 64, nMels: 20 },
} as const;
export const SMALL_MFCC = {
  sampleRate: 8000,
  duration: 0.5,
  features: { kind: 'mfcc', nFft: 256, hopLength: 64, nMels: 32, nMfcc: 13 },
} as const;
