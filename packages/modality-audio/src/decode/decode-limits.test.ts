import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import {
  flacConstantBomb,
  flacDeclaringHours,
  stereoPcm24Wav,
  wavWithOversizedDataChunk,
  withOggFinalGranule,
} from '@omnifuse/test-utils/audio-corpus';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode-audio.js';
import { decodeWav } from './decode-wav.js';
import { mpegFrameInfo } from './mp3-header.js';
import { type MpegHeader, mpegHeaderAt } from './sniff-container.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/compressed/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
const where = { record: 'r9', field: 'voice', file: 'bomb.flac' };

async function tooLong(run: Promise<unknown>): Promise<OmnifuseError> {
  const error = await run.then(
    () => {
      throw new Error('expected a too-long error');
    },
    (e: unknown) => e,
  );
  expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
  const e = error as OmnifuseError;
  expect(e.code).toBe(ErrorCode.InvalidInput);
  expect(e.details?.problem, e.message).toBe('too-long');
  return e;
}

/** A FLAC fixture with STREAMINFO's total set to 0 ("unknown"), so only decoding can find the length. */
function withUnknownTotal(flac: Uint8Array): Uint8Array {
  const copy = flac.slice();
  copy[21]! &= 0xf0;
  copy.fill(0, 22, 26);
  return copy;
}

describe('the FLAC bomb is real', () => {
  it('decodes, with no limit, to exactly the samples its frames hold (60 s of a constant)', async () => {
    for (const declareTotal of [true, false]) {
      const bomb = flacConstantBomb({ seconds: 60, declareTotal, value: 1700 });
      expect(bomb.length).toBeLessThan(200);
      const out = await decodeAudio(bomb);
      expect(out).toMatchObject({ sampleRate: 8000, channels: 1, encoding: 'flac', bitsPerSample: 16 });
      const samples = out.samples[0]!;
      expect(samples.length).toBe(480_000);
      expect(samples.every((x) => x === 1700 / 32768)).toBe(true);
    }
    const stereo = await decodeAudio(
      flacConstantBomb({ seconds: 2, channels: 2, sampleRate: 44_100, blockSize: 4096 }),
    );
    expect(stereo.samples.map((c) => c.length)).toEqual([88_200, 88_200]);
  });

  it('the one-hour bomb is a few kilobytes', () => {
    expect(flacConstantBomb().length).toBeLessThan(8 * 1024);
  });
});

describe('decodeAudio({ maxSeconds })', () => {
  it('refuses a one-hour FLAC bomb from its STREAMINFO before decoding', async () => {
    const e = await tooLong(decodeAudio(flacConstantBomb(), where, { maxSeconds: 30 }));
    expect(e).toMatchObject({ ...where, expected: '<= 30 s', found: '3600 s' });
    expect(e.details).toMatchObject({ seconds: 3600, maxSeconds: 30, stoppedEarly: false });
    expect(e.reason).toBe('audio is too long: its header declares 3600 s, over the limit of 30 s');
  });

  it('stops a one-hour FLAC bomb that declares no total soon after the limit: memory stays bounded', async () => {
    const bomb = flacConstantBomb({ declareTotal: false });
    const before = process.memoryUsage().arrayBuffers;
    const e = await tooLong(decodeAudio(bomb, where, { maxSeconds: 30 }));
    expect(e.details).toMatchObject({ maxSeconds: 30, stoppedEarly: true });
    // Decoded past 30 s by at most one 64-byte chunk of the worst case (5 frames of 65,535), not 3,600 s.
    const seconds = e.details?.seconds as number;
    expect(seconds).toBeGreaterThan(30);
    expect(seconds).toBeLessThan(30 + (5 * 65_535) / 8000);
    expect(e.found).toBe(`more than ${Number(seconds.toFixed(2))} s`);
    // The whole hour would be 115 MB of float32; what was decoded is garbage by now, but never grew near it.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * 2 ** 20);
  });

  it('stops a FLAC with an unknown total, or an MP3 without its Info tag, part-way', async () => {
    const flac = withUnknownTotal(fixture('0_george_0.flac'));
    expect((await decodeAudio(flac)).samples[0]!.length).toBe(2384);
    const e = await tooLong(decodeAudio(flac, where, { maxSeconds: 0.1 }));
    expect(e.details).toMatchObject({ stoppedEarly: true, maxSeconds: 0.1 });

    const mp3 = fixture('3_jackson_12.mp3');
    const header = mpegHeaderAt(mp3, 0) as MpegHeader;
    const untagged = mp3.slice(mpegFrameInfo(mp3, 0, header).frameBytes);
    const m = await tooLong(decodeAudio(untagged, where, { maxSeconds: 0.1 }));
    expect(m.details).toMatchObject({ stoppedEarly: true });
  });

  it('refuses from the header: FLAC declaring hours, Ogg whose last granule says hours, MP3 Info count', async () => {
    const flac = await tooLong(decodeAudio(flacDeclaringHours(4), where, { maxSeconds: 600 }));
    expect(flac.details).toMatchObject({ seconds: 4 * 3600, stoppedEarly: false });
    const ogg = withOggFinalGranule(fixture('0_george_0.ogg'), 3 * 3600 * 8000);
    const vorbis = await tooLong(decodeAudio(ogg, where, { maxSeconds: 600 }));
    expect(vorbis.details).toMatchObject({ seconds: 3 * 3600, stoppedEarly: false });
    const mp3 = await tooLong(decodeAudio(fixture('3_jackson_12.mp3'), where, { maxSeconds: 0.4 }));
    expect(mp3.details).toMatchObject({ seconds: 3814 / 8000, stoppedEarly: false });
  });

  it('Ogg whose pages state no sample position is empty, refused before decoding', async () => {
    const ogg = withOggFinalGranule(fixture('0_george_0.ogg'), 0);
    await expect(decodeAudio(ogg, where)).rejects.toMatchObject({ details: { problem: 'empty-clip' } });
  });

  it('WAV: the frames present count, not a placeholder data size', async () => {
    const wav = stereoPcm24Wav({ seconds: 0.5 });
    const e = await tooLong(decodeAudio(wav, where, { maxSeconds: 0.25 }));
    expect(e.details).toMatchObject({ seconds: 0.5, maxSeconds: 0.25 });
    expect(() => decodeWav(wav, where, { maxSeconds: 0.25 })).toThrow(/too long/);
    expect(decodeWav(wav, where, { maxSeconds: 0.5 }).samples[0]!.length).toBe(22_050);
    const streamed = decodeWav(wavWithOversizedDataChunk(0xffffffff), where, { maxSeconds: 1 });
    expect(streamed).toMatchObject({ truncated: true });
  });

  it('clips within the limit decode exactly as without one', async () => {
    for (const name of ['0_george_0-stereo.flac', '0_george_0.mp3', '3_jackson_12.ogg']) {
      const bytes = fixture(name);
      const limited = await decodeAudio(bytes, where, { maxSeconds: 0.5 });
      expect(limited.samples, name).toEqual((await decodeAudio(bytes)).samples);
    }
  });

  it('a limit that is not a positive number is an options error', async () => {
    for (const maxSeconds of [0, -1, Number.NaN]) {
      await expect(decodeAudio(fixture('0_george_0.flac'), where, { maxSeconds })).rejects.toMatchObject({
        code: ErrorCode.InvalidOptions,
        path: 'maxSeconds',
      });
    }
  });
});
