import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EncoderPluginV1, ErrorCode, vectorEncoderPlugin } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { flakyAugmentPlugin } from './fixtures/flaky-augment-plugin.js';
import { resolveRegistry } from './plugins.js';
import { supervisedTrainerPlugin } from './supervised-trainer.js';

const baseDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = './src/fixtures/flaky-augment-plugin.ts';
const impostor: EncoderPluginV1 = { ...flakyAugmentPlugin, packageName: '@acme/impostor' };

describe('resolveRegistry', () => {
  it('takes a plugin given in code and loaded again from its module as one plugin', async () => {
    const registry = await resolveRegistry({
      specifiers: [FIXTURE, FIXTURE],
      baseDir,
      registry: [flakyAugmentPlugin],
    });
    expect(registry.encoder('test:flaky-augment')).toBe(flakyAugmentPlugin);
    expect(registry.list('encoder').filter((p) => p.id === 'test:flaky-augment')).toHaveLength(1);
  });

  it('refuses another plugin with the id of a loaded one, as createRegistry does (tolerant or not)', async () => {
    for (const tolerant of [false, true]) {
      const error = await resolveRegistry({
        specifiers: [FIXTURE],
        baseDir,
        registry: [impostor],
        tolerant,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.DuplicatePlugin, plugin: 'test:flaky-augment' });
    }
    const error = await resolveRegistry({ baseDir, registry: [flakyAugmentPlugin, impostor] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: ErrorCode.DuplicatePlugin,
      details: { packages: ['(unnamed)', '@acme/impostor'] },
    });
  });

  it('adds the built-ins unless a given or loaded plugin has their id', async () => {
    const plain = await resolveRegistry({ baseDir });
    expect(plain.encoder(vectorEncoderPlugin.id)).toBe(vectorEncoderPlugin);
    expect(plain.trainer(supervisedTrainerPlugin.id)).toBe(supervisedTrainerPlugin);
    const ownVector = { ...vectorEncoderPlugin, packageName: '@acme/vector' };
    const replaced = await resolveRegistry({ baseDir, registry: [ownVector] });
    expect(replaced.encoder(vectorEncoderPlugin.id)).toBe(ownVector);
  });

  it('skips a module that fails to load only when tolerant', async () => {
    const tolerant = await resolveRegistry({ specifiers: ['@acme/not-installed'], baseDir, tolerant: true });
    expect(tolerant.has('trainer', supervisedTrainerPlugin.id)).toBe(true);
    const error = await resolveRegistry({ specifiers: ['@acme/not-installed'], baseDir }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: ErrorCode.PluginLoad });
  });
});
