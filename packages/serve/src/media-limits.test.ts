import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EncoderV1, ErrorCode, OmnifuseError } from '@omnifuse/core';
import { flacConstantBomb, flacDeclaringHours } from '@omnifuse/test-utils/audio-corpus';
import { hugePng } from '@omnifuse/test-utils/image-corpus';
import { greyPng, tinyPlugins, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaCheck } from './media-limits.js';
import type { ModelInput } from './model-inputs.js';
import { createServer, type OmnifuseServer } from './server.js';

let work: string;
let server: OmnifuseServer;
let photo: string;

const MiB = 2 ** 20;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-serve-media-'));
  const bundleDir = await trainTinyBundle(work);
  photo = (await greyPng(220)).toString('base64');
  // Default limits (10 MiB bodies, 4096 × 4096 pixels) but 1 s of audio.
  server = await createServer({ bundleDir, registry: tinyPlugins, limits: { audioSeconds: 1 } });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const predict = (inputs: Record<string, unknown>) =>
  server.app.inject({ method: 'POST', url: '/v1/predict', payload: { inputs } });
const base64 = (bytes: Uint8Array) => ({ base64: Buffer.from(bytes).toString('base64') });

describe('header-first media limits', () => {
  it('refuses a FLAC whose header declares hours with 422 E_AUDIO_TOO_LONG, from the header alone', async () => {
    const flac = flacDeclaringHours(4);
    // Garble every frame after STREAMINFO: decoding would now fail as corrupt (E_INPUT), so a
    // too-long answer can only come from the header.
    const garbled = flac.map((byte, i) => (i < 42 ? byte : 0x5a));
    for (const bytes of [flac, garbled]) {
      const response = await predict({ photo: { base64: photo }, sound: base64(bytes) });
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json().error).toMatchObject({ code: 'E_AUDIO_TOO_LONG', field: 'sound' });
      expect(response.json().error.message).toContain('header declares 14400.00 s');
    }
  });

  it('stops decoding a FLAC of unknown length at the limit: 4 hours in 21 KB, memory bounded', async () => {
    const bomb = flacConstantBomb({ seconds: 4 * 3600, declareTotal: false });
    expect(bomb.length).toBeLessThan(32 * 1024);
    // The generator's frames are real: a short one of the same kind is accepted and predicted.
    const short = await predict({
      photo: { base64: photo },
      sound: base64(flacConstantBomb({ seconds: 0.5, declareTotal: false })),
    });
    expect(short.statusCode, short.body).toBe(200);

    const rssBefore = process.memoryUsage().rss;
    const response = await predict({ photo: { base64: photo }, sound: base64(bomb) });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'E_AUDIO_TOO_LONG', field: 'sound' });
    expect(response.json().error.message).toContain('decodes to more than 1 s');
    // Decoded whole, 4 h at 8 kHz is 115 million samples: 460 MB as float32 alone. The peak RSS of
    // the process (all of its life) stays within 160 MB of what it was before the request.
    const peak = process.resourceUsage().maxRSS * 1024;
    expect(peak - rssBefore).toBeLessThan(160 * MiB);
  });

  it('refuses a 900-megapixel PNG header with 413 E_IMAGE_TOO_LARGE before decoding', async () => {
    const png = hugePng(30_000);
    expect(png.length).toBeLessThan(64 * 1024);
    const response = await predict({ photo: base64(png) });
    expect(response.statusCode, response.body).toBe(413);
    expect(response.json().error).toMatchObject({ code: 'E_IMAGE_TOO_LARGE', field: 'photo' });
    expect(response.json().error.message).toContain('30000×30000 = 900000000 pixels');
  });

  it('refuses unreadable audio headers with 422 E_INPUT naming the field', async () => {
    const response = await predict({
      photo: { base64: photo },
      sound: base64(Buffer.from('fLaC but not really a stream')),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'E_INPUT', field: 'sound' });
  });
});

describe('createMediaCheck', () => {
  const input = (field: string, type: ModelInput['type']): ModelInput => ({
    field,
    encoder: `${type}:x`,
    modality: type,
    type,
    optional: false,
  });
  /** An encoder that only measures, as a third-party media encoder would. */
  const measuring = (measure: NonNullable<EncoderV1['measure']>) => ({
    encoder: { id: 'x:measure', measure } as unknown as EncoderV1,
  });
  const limits = { imagePixels: 100, audioSeconds: 2 };
  const media = (field: string, type: ModelInput['type']) => [{ field, type, bytes: new Uint8Array([1, 2]) }];

  it("fails at start-up when a media input's encoder has no measure hook", () => {
    const encoders = {
      photo: { encoder: { id: 'image:x' } as EncoderV1 },
      caption: measuring(() => ({ source: 'header' })),
    };
    expect(() => createMediaCheck([input('photo', 'image'), input('caption', 'text')], encoders)).toThrow(
      expect.objectContaining({
        code: 'E_PLUGIN_FAILED',
        field: 'photo',
        plugin: 'image:x',
        step: 'measure',
      }),
    );
  });

  it('needs no measure hook for a text-only bundle', async () => {
    const check = createMediaCheck([input('caption', 'text')], { caption: { encoder: {} as EncoderV1 } });
    await expect(check([], limits)).resolves.toBeUndefined();
  });

  it("hands the server's limits and the bytes to measure, and maps its sizes to the limit errors", async () => {
    const seen: unknown[] = [];
    const sizes = [
      { width: 10, height: 10, source: 'header' },
      { width: 11, height: 10, source: 'header' },
      { seconds: 2.5, source: 'header' },
      { seconds: 2, source: 'decoded', stoppedAtLimit: true },
      { seconds: 1.5, source: 'decoded' },
    ] as const;
    let next = 0;
    const check = createMediaCheck([input('photo', 'image')], {
      photo: measuring(async (raw, context) => {
        seen.push({ raw, limits: context.limits, field: context.field, record: context.record });
        return sizes[next++]!;
      }),
    });
    await expect(check(media('photo', 'image'), limits, 3)).resolves.toBeUndefined();
    expect(seen[0]).toEqual({
      raw: { kind: 'inline', bytes: new Uint8Array([1, 2]) },
      limits: { pixels: 100, seconds: 2 },
      field: 'photo',
      record: 3,
    });
    await expect(check(media('photo', 'image'), limits)).rejects.toMatchObject({
      statusCode: 413,
      code: 'E_IMAGE_TOO_LARGE',
      message: 'field "photo": the image is 11×10 = 110 pixels; the limit is 100',
    });
    await expect(check(media('photo', 'image'), limits)).rejects.toMatchObject({
      statusCode: 422,
      code: 'E_AUDIO_TOO_LONG',
      message: expect.stringContaining('its header declares 2.50 s'),
    });
    await expect(check(media('photo', 'image'), limits)).rejects.toMatchObject({
      code: 'E_AUDIO_TOO_LONG',
      message: expect.stringContaining('it decodes to more than 2 s'),
    });
    await expect(check(media('photo', 'image'), limits)).resolves.toBeUndefined();
  });

  it('answers 422 E_INPUT naming the field when measure cannot read the value', async () => {
    const check = createMediaCheck([input('sound', 'audio')], {
      sound: measuring(() => {
        throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'unknown audio format' });
      }),
    });
    await expect(check(media('sound', 'audio'), limits)).rejects.toMatchObject({
      statusCode: 422,
      code: 'E_INPUT',
      field: 'sound',
      message: 'field "sound": the audio is not readable (unknown audio format)',
    });
  });
});
