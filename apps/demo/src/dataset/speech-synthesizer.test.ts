import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSpeechSynthesizer, type SpeechSynthesizer } from './speech-synthesizer.js';
import { DIGIT_WORDS } from './spoken-digit.js';
import { TEST_VOICE_VARIANTS, TRAIN_VOICE_VARIANTS } from './voices.js';

const plain = { voice: 'en-us+m1', pitch: 50, rate: 175, range: 50 };

/** Sign changes per sample: high for fricatives like the s in "six", low for voiced "one". */
function zeroCrossingRate(samples: Int16Array): number {
  let crossings = 0;
  let voiced = 0;
  for (let i = 1; i < samples.length; i++) {
    if (Math.abs(samples[i]!) < 200) continue;
    voiced++;
    if (samples[i]! > 0 !== samples[i - 1]! > 0) crossings++;
  }
  return crossings / voiced;
}

describe('createSpeechSynthesizer', () => {
  let speech: SpeechSynthesizer;
  beforeAll(async () => {
    speech = await createSpeechSynthesizer();
  });

  it('speaks at 22,050 Hz, the same way whatever was spoken before', () => {
    expect(speech.sampleRate).toBe(22_050);
    const seven = { ...plain, voice: 'en-us+klatt' };
    const first = speech.synthesize('seven', seven);
    speech.synthesize('number three', { ...plain, voice: 'en-gb-x-rp+whisperf', pitch: 80 });
    expect(speech.synthesize('seven', seven)).toEqual(first);
  });

  it('says each digit differently: distinct clips, "six" hissier than "one"', () => {
    const clips = DIGIT_WORDS.map((word) => speech.synthesize(word, plain));
    for (let a = 0; a < clips.length; a++) {
      expect(clips[a]!.length).toBeGreaterThan(0.2 * speech.sampleRate);
      for (let b = a + 1; b < clips.length; b++) expect(clips[a]).not.toEqual(clips[b]);
    }
    expect(zeroCrossingRate(clips[6]!)).toBeGreaterThan(1.5 * zeroCrossingRate(clips[1]!));
    expect(new Set(clips.map((clip) => clip.length)).size).toBeGreaterThan(5);
  });

  it('knows every listed voice variant (each sounds unlike the plain voice)', () => {
    const base = speech.synthesize('five', { ...plain, voice: 'en-us' });
    for (const variant of [...TRAIN_VOICE_VARIANTS, ...TEST_VOICE_VARIANTS]) {
      expect(speech.synthesize('five', { ...plain, voice: `en-us+${variant}` }), variant).not.toEqual(base);
    }
  });

  it('rejects an unknown language and a package that fails to load', async () => {
    expect(() => speech.synthesize('one', { ...plain, voice: 'xx-nope' })).toThrow(OmnifuseError);
    const error = await createSpeechSynthesizer(() => Promise.reject(new Error('no wasm'))).catch((e) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.BackendUnavailable });
    expect(error.message).toContain('@echogarden/espeak-ng-emscripten');
  });
});
