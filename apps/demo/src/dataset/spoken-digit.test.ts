import { createRng } from '@omnifuse/core';
import { decodeWav, encodeWav } from '@omnifuse/modality-audio';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSpeechSynthesizer, type SpeechSynthesizer } from './speech-synthesizer.js';
import { addWhiteNoise, meanPower, planSpokenDigit, renderSpokenDigit } from './spoken-digit.js';
import { TRAIN_VOICE_VARIANTS } from './voices.js';

const db = (ratio: number) => 10 * Math.log10(ratio);

describe('addWhiteNoise', () => {
  it('adds noise at the requested SNR', () => {
    const tone = Float32Array.from({ length: 50_000 }, (_, i) => 0.5 * Math.sin(i / 7));
    for (const snr of [-5, 0, 10, 20]) {
      const noisy = addWhiteNoise(tone, snr, createRng(snr + 100));
      const noise = noisy.map((x, i) => x - tone[i]!);
      expect(db(meanPower(tone) / meanPower(noise))).toBeCloseTo(snr, 0);
    }
  });
});

describe('renderSpokenDigit', () => {
  let speech: SpeechSynthesizer;
  beforeAll(async () => {
    speech = await createSpeechSynthesizer();
  });

  it('pads, adds noise at about the planned SNR and scales to the planned peak', () => {
    for (const snrDb of [-5, 5, 15]) {
      const base = planSpokenDigit(3, TRAIN_VOICE_VARIANTS, createRng(snrDb));
      const plan = { ...base, leadSeconds: 0.3, trailSeconds: 0, snrDb, gain: 0.8 };
      const voice = speech.synthesize(plan.text, plan.speech);
      const clip = renderSpokenDigit(voice, plan, speech.sampleRate, createRng(1));
      const lead = Math.round(0.3 * speech.sampleRate);
      expect(clip.length).toBe(lead + voice.length);
      expect(Math.max(...clip.map(Math.abs))).toBeCloseTo(0.8, 5);
      // The lead is noise alone; the rest is speech plus the same noise.
      const noise = meanPower(clip.subarray(0, lead));
      const mixed = meanPower(clip.subarray(lead));
      expect(Math.abs(db((mixed - noise) / noise) - snrDb)).toBeLessThan(1);
    }
  });

  it('round-trips through a 16-bit mono WAV', () => {
    const clip = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10) * 0.9);
    const wav = decodeWav(encodeWav(clip, 22_050));
    expect(wav).toMatchObject({
      sampleRate: 22_050,
      channels: 1,
      format: { encoding: 'pcm', bitsPerSample: 16 },
    });
    wav.samples[0]!.forEach((x, i) => {
      expect(Math.abs(x - clip[i]!)).toBeLessThan(1e-4);
    });
  });
});
