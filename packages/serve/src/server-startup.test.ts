import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tinyPlugins, trainTinyBundle } from './fixtures/tiny-bundle.js';

let work: string;
let bundleDir: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-serve-startup-'));
  bundleDir = await trainTinyBundle(work);
});
afterAll(() => {
  vi.doUnmock('sharp');
  rmSync(work, { recursive: true, force: true });
});

describe('start-up without sharp', () => {
  it('createServer and serve fail with E_BACKEND_UNAVAILABLE for a bundle with image inputs', async () => {
    // The bundle is trained (with sharp); from here on, sharp cannot be imported.
    vi.doMock('sharp', () => {
      throw new Error("Cannot find package 'sharp'");
    });
    const { createServer } = await import('./server.js');
    const { serve } = await import('./serve.js');
    for (const start of [
      () => createServer({ bundleDir, registry: tinyPlugins }),
      () => serve({ bundleDir, registry: tinyPlugins, port: 0, handleSignals: false }),
    ]) {
      const error = await start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        name: 'OmnifuseError',
        code: 'E_BACKEND_UNAVAILABLE',
        field: 'photo',
        details: { package: 'sharp', fields: ['photo'] },
      });
      expect((error as Error).message).toMatch(/image inputs \("photo"\).*sharp could not be loaded/);
    }
  });
});
