import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EncoderCheckContext, type MediaRef, OmnifuseError, type ValueFinding } from '@omnifuse/core';
import {
  flacConstantBomb,
  flacDeclaringHours,
  floatWavWithNaN,
  oggOpusDeclaringHours,
  stereoPcm24Wav,
  wavWithOversizedDataChunk,
  wavWithTruncatedHeader,
  wavWithZeroSamples,
  withOggFinalGranule,
} from '@omnifuse/test-utils/audio-corpus';
import { describe, expect, it } from 'vitest';
import { createCnn1dEncoder } from './cnn1d.js';
import { createCnn2dEncoder } from './cnn2d.js';
import { createRnnEncoder } from './rnn.js';
import { SMALL_MFCC } from './test-samples.js';
import { createTransformerEncoder } from './transformer.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/compressed/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));

const files = new Map<string, Uint8Array>();
const context: EncoderCheckContext = {
  record: 'r1',
  field: 'audio',
  readMedia: async (ref: MediaRef) => {
    if (ref.kind === 'inline') return ref.bytes;
    const bytes = files.get(ref.relativePath);
    if (!bytes) throw new Error(`ENOENT: no such file ${ref.relativePath}`);
    return bytes;
  },
};
const fileRef = (name: string, bytes: Uint8Array): MediaRef => {
  files.set(name, bytes);
  return { kind: 'file', path: `/data/${name}`, relativePath: name };
};
const inline = (bytes: Uint8Array): MediaRef => ({ kind: 'inline', bytes });

const encoder = createCnn1dEncoder({ preprocess: SMALL_MFCC, baseFilters: 4, blocks: 1 });
const check = (raw: unknown) => encoder.check!(raw as MediaRef, context);
const codes = (findings: readonly ValueFinding[]) => findings.map((f) => f.code);

describe('audio encoders: check', () => {
  it('every audio encoder has it, and maxDuration defaults to 600 s', () => {
    for (const made of [
      encoder,
      createCnn2dEncoder(),
      createRnnEncoder({ preprocess: SMALL_MFCC }),
      createTransformerEncoder({ preprocess: SMALL_MFCC }),
    ]) {
      expect(typeof made.check, made.id).toBe('function');
      expect((made.options as { preprocess: { maxDuration: number } }).preprocess.maxDuration).toBe(600);
    }
  });

  it('a good stereo 24-bit WAV, and the real FLAC/MP3/Ogg clips, have no findings', async () => {
    expect(await check(fileRef('good.wav', stereoPcm24Wav()))).toEqual([]);
    for (const name of ['0_george_0.flac', '0_george_0.mp3', '3_jackson_12.ogg']) {
      expect(await check(inline(fixture(name))), name).toEqual([]);
    }
  });

  it('each broken kind of the corpus gets its code, as an error with a reason', async () => {
    const cases: [string, Uint8Array, string[]][] = [
      ['truncated header', wavWithTruncatedHeader(), ['audio-unreadable']],
      ['zero samples', wavWithZeroSamples(), ['audio-empty']],
      ['data chunk larger than the file', wavWithOversizedDataChunk(), ['audio-truncated']],
      ['NaN in float data', floatWavWithNaN(), ['audio-non-finite']],
      ['FLAC declaring 4 hours', flacDeclaringHours(4), ['audio-too-long']],
      ['one-hour FLAC bomb', flacConstantBomb(), ['audio-too-long']],
      [
        'Ogg Vorbis whose last granule says 3 hours',
        withOggFinalGranule(fixture('0_george_0.ogg'), 3 * 3600 * 8000),
        ['audio-too-long'],
      ],
      ['Ogg stating no samples', withOggFinalGranule(fixture('0_george_0.ogg'), 0), ['audio-empty']],
      ['Ogg cut short', fixture('0_george_0.ogg').subarray(0, 3000), ['audio-truncated']],
      ['MP3 short of its Info tag', fixture('0_george_0.mp3').subarray(0, 2000), ['audio-truncated']],
      ['Opus (not decoded here)', oggOpusDeclaringHours(), ['audio-unreadable']],
      ['text', new TextEncoder().encode('digit,speaker\n0,jackson\n'), ['audio-unreadable']],
      ['nothing', new Uint8Array(0), ['audio-unreadable']],
    ];
    for (const [what, bytes, expected] of cases) {
      const findings = await check(fileRef(`${what}.bin`, bytes));
      expect(codes(findings), what).toEqual(expected);
      for (const f of findings) {
        expect(f.severity, what).toBe('error');
        expect(f.reason.length, what).toBeGreaterThan(10);
      }
    }
  });

  it('reasons name the numbers, never the file contents', async () => {
    const [truncated] = await check(inline(wavWithOversizedDataChunk()));
    expect(truncated!.reason).toBe('WAV data chunk declares 536870912 frames but the file holds 800');
    const [long] = await check(inline(flacDeclaringHours(4)));
    expect(long!.reason).toBe('audio is too long: 14400 s, over the limit of 600 s (preprocess.maxDuration)');
    const [nan] = await check(inline(floatWavWithNaN(100)));
    expect(nan!.reason).toContain('frame 100, channel 0');
    const [text] = await check(inline(new TextEncoder().encode('digit,speaker\n0,jackson\n')));
    expect(text!.reason).not.toMatch(/speaker|jackson/);
  });

  it('maxDuration is the encoder option', async () => {
    const short = createCnn1dEncoder({
      preprocess: { ...SMALL_MFCC, maxDuration: 0.2 },
      baseFilters: 4,
      blocks: 1,
    });
    expect(codes(await short.check!(inline(stereoPcm24Wav()), context))).toEqual(['audio-too-long']);
    const long = createCnn1dEncoder({
      preprocess: { ...SMALL_MFCC, maxDuration: 5 * 3600 },
      baseFilters: 4,
      blocks: 1,
    });
    expect(await long.check!(inline(flacDeclaringHours(4)), context)).toEqual([]);
    expect(() => createCnn1dEncoder({ preprocess: { maxDuration: 0 } })).toThrow(OmnifuseError);
  });

  it('a FLAC whose STREAMINFO does not say its length passes check; preprocess then stops it', async () => {
    const bomb = inline(flacConstantBomb({ declareTotal: false }));
    expect(await check(bomb)).toEqual([]);
    const state = await encoder.fit([], { field: 'audio', readMedia: context.readMedia });
    await expect(encoder.preprocess(bomb, state, context)).rejects.toMatchObject({
      record: 'r1',
      field: 'audio',
      details: { problem: 'too-long', maxSeconds: 600, stoppedEarly: true },
    });
  });

  it('preprocess applies maxDuration to media and to decoded audio, as check does', async () => {
    const short = createCnn1dEncoder({
      preprocess: { ...SMALL_MFCC, maxDuration: 0.2 },
      baseFilters: 4,
      blocks: 1,
    });
    const state = await short.fit([], { field: 'audio', readMedia: context.readMedia });
    await expect(
      short.preprocess(fileRef('good.wav', stereoPcm24Wav()), state, context),
    ).rejects.toMatchObject({
      file: 'good.wav',
      details: { problem: 'too-long', seconds: 0.25, maxSeconds: 0.2 },
    });
    const decoded = { sampleRate: 8000, samples: new Float32Array(4000) };
    await expect(short.preprocess(decoded, state, context)).rejects.toMatchObject({
      details: { problem: 'too-long', seconds: 0.5 },
    });
    expect(codes(await short.check!(decoded, context))).toEqual(['audio-too-long']);
    const ok = await short.preprocess(
      fileRef('short.wav', stereoPcm24Wav({ seconds: 0.15 })),
      state,
      context,
    );
    expect(ok.shape).toEqual(state.featureSpec.shape);
  });

  it('audio already decoded in code: shape, emptiness and finiteness, cheaply', async () => {
    expect(await check({ sampleRate: 16_000, samples: new Float32Array(160).fill(0.1) })).toEqual([]);
    expect(codes(await check({ sampleRate: 16_000, samples: new Float32Array(0) }))).toEqual(['audio-empty']);
    expect(
      codes(await check({ sampleRate: 16_000, samples: Float32Array.of(0, Number.POSITIVE_INFINITY) })),
    ).toEqual(['audio-non-finite']);
    for (const bad of [
      null,
      42,
      'clip.wav',
      { sampleRate: 0, samples: new Float32Array(4) },
      { sampleRate: Number.NaN, samples: new Float32Array(4) },
      { sampleRate: 8000, samples: [0, 1] },
    ]) {
      expect(codes(await check(bad)), String(bad)).toEqual(['audio-unreadable']);
    }
  });

  it('never throws: a file that cannot be read, or random bytes of every length, is a finding', async () => {
    const missing: MediaRef = { kind: 'file', path: '/data/missing.wav', relativePath: 'missing.wav' };
    const [unreadable] = await check(missing);
    expect(unreadable).toMatchObject({ code: 'audio-unreadable', severity: 'error' });
    expect(unreadable!.reason).toContain('could not be read');
    let state = 7;
    const heads = ['RIFF', 'fLaC', 'OggS', 'ID3', '\xff\xfb'];
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n % 97 }, () => {
        state = (state * 1103515245 + 12345) >>> 0;
        return state >>> 24;
      });
      const head = heads[n % heads.length]!;
      bytes.set(Uint8Array.from(head.slice(0, bytes.length), (c) => c.charCodeAt(0)));
      const findings = await check(inline(bytes));
      expect(Array.isArray(findings)).toBe(true);
    }
  });
});
