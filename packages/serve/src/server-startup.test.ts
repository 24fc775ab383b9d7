import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EncoderPluginV1, flattenPlugins, type PluginV1 } from '@omnifuse/core';
import { tinyPlugins, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from './serve.js';
import { createServer } from './server.js';

let work: string;
let bundleDir: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-serve-startup-'));
  bundleDir = await trainTinyBundle(work);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The tiny bundle's plugins, with `vision:cnn` as an encoder written before the `measure` hook. */
const withoutImageMeasure: PluginV1[] = flattenPlugins(tinyPlugins).map((plugin) => {
  if (plugin.kind !== 'encoder' || plugin.id !== 'vision:cnn') return plugin;
  const encoderPlugin = plugin as EncoderPluginV1;
  return {
    ...encoderPlugin,
    create(options?: unknown) {
      const { measure: _measure, ...encoder } = encoderPlugin.create(options);
      return encoder;
    },
  };
});

describe('start-up with a media encoder that cannot measure', () => {
  it('createServer and serve fail with E_PLUGIN_FAILED naming the field and the encoder', async () => {
    // Resolved from a folder without node_modules, so the bundle's packages are not loaded beside them.
    const options = { bundleDir, registry: withoutImageMeasure, baseDir: work };
    for (const start of [
      () => createServer(options),
      () => serve({ ...options, port: 0, handleSignals: false }),
    ]) {
      const error = await start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        name: 'OmnifuseError',
        code: 'E_PLUGIN_FAILED',
        field: 'photo',
        plugin: 'vision:cnn',
        step: 'measure',
      });
      expect((error as Error).message).toMatch(
        /image input "photo" is encoded by vision:cnn, which has no measure hook/,
      );
    }
  });

  it('starts with the first-party encoders, which measure', async () => {
    const server = await createServer({ bundleDir, registry: tinyPlugins });
    await server.close();
  });
});
