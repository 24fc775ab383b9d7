import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flacConstantBomb, flacDeclaringHours } from '@omnifuse/test-utils/audio-corpus';
import { hugePng } from '@omnifuse/test-utils/image-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, tinyPlugins, trainTinyBundle } from './fixtures/tiny-bundle.js';
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
  const failing = () => Promise.reject(new Error("Cannot find package 'sharp'"));
  const loaders = { sharp: failing, audio: () => import('@omnifuse/modality-audio') };

  it('fails when the bundle has image inputs and sharp does not load', async () => {
    const error = await createMediaCheck([input('photo', 'image'), input('caption', 'text')], loaders).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: 'OmnifuseError',
      code: 'E_BACKEND_UNAVAILABLE',
      field: 'photo',
      details: { package: 'sharp', fields: ['photo'] },
    });
    expect((error as Error).message).toContain("Cannot find package 'sharp'");
  });

  it('needs neither sharp nor the audio package for a text-only bundle', async () => {
    const check = await createMediaCheck([input('caption', 'text')], { sharp: failing, audio: failing });
    await expect(check([], { imagePixels: 1, audioSeconds: 1 })).resolves.toBeUndefined();
  });

  it('fails when the bundle has audio inputs and @omnifuse/modality-audio does not load', async () => {
    await expect(
      createMediaCheck([input('sound', 'audio')], { sharp: () => import('sharp'), audio: failing }),
    ).rejects.toMatchObject({
      code: 'E_BACKEND_UNAVAILABLE',
      details: { package: '@omnifuse/modality-audio' },
    });
  });
});
