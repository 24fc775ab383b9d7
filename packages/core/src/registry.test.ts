import { describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from './errors.js';
import { createRegistry } from './registry.js';
import type { EncoderPluginV1 } from './spec/encoder.js';
import type { FusionPluginV1 } from './spec/fusion.js';

const encoder = (id: string, packageName?: string): EncoderPluginV1 => ({
  specificationVersion: 'v1',
  kind: 'encoder',
  id,
  modality: 'vector',
  packageName,
  create: () => {
    throw new Error('not used');
  },
});
const fusion: FusionPluginV1 = {
  specificationVersion: 'v1',
  kind: 'fusion',
  id: 'fusion:sum',
  create: () => {
    throw new Error('not used');
  },
};

describe('createRegistry', () => {
  it('looks plugins up by kind and id, flattening nested lists', () => {
    const registry = createRegistry([[encoder('vision:cnn'), encoder('text:cnn')], fusion]);
    expect(registry.encoder('text:cnn').id).toBe('text:cnn');
    expect(registry.fusion('fusion:sum')).toBe(fusion);
    expect(registry.has('encoder', 'fusion:sum')).toBe(false);
    expect(registry.list('encoder').map((p) => p.id)).toEqual(['vision:cnn', 'text:cnn']);
    expect(registry.list()).toHaveLength(3);
  });

  it('names what is available when an id is missing', () => {
    const registry = createRegistry([encoder('vision:cnn'), encoder('audio:cnn2d')]);
    const error = catchError(() => registry.encoder('vision:resnet'));
    expect(error.code).toBe(ErrorCode.PluginNotFound);
    expect(error.details?.available).toEqual(['audio:cnn2d', 'vision:cnn']);
    expect(error.message).toContain('audio:cnn2d, vision:cnn');
  });

  it('refuses duplicate ids and names both packages', () => {
    const error = catchError(() => createRegistry([encoder('vision:cnn', 'a'), encoder('vision:cnn', 'b')]));
    expect(error.code).toBe(ErrorCode.DuplicatePlugin);
    expect(error.details?.packages).toEqual(['a', 'b']);
  });

  it('takes the same plugin object listed twice (a module loaded twice) as one', () => {
    const one = encoder('vision:cnn', 'a');
    const registry = createRegistry([one, [one]]);
    expect(registry.list()).toEqual([one]);
    expect(registry.with([one]).list()).toEqual([one]);
    expect(() => registry.with([encoder('vision:cnn', 'b')])).toThrow(/share the id "vision:cnn"/);
  });

  it('allows one id in different kinds', () => {
    const sameId = { ...fusion, id: 'vision:cnn' };
    expect(() => createRegistry([encoder('vision:cnn'), sameId])).not.toThrow();
  });

  it('refuses another specification version', () => {
    const v2 = { ...encoder('vision:cnn'), specificationVersion: 'v2' } as unknown as EncoderPluginV1;
    const error = catchError(() => createRegistry([v2]));
    expect(error.code).toBe(ErrorCode.SpecVersion);
    expect(error.expected).toBe('v1');
    expect(error.found).toBe('v2');
  });

  it('refuses malformed plugins', () => {
    expect(catchError(() => createRegistry([encoder('nocolon')])).code).toBe(ErrorCode.PluginLoad);
    const noCreate = { ...encoder('a:b'), create: undefined } as unknown as EncoderPluginV1;
    expect(catchError(() => createRegistry([noCreate])).code).toBe(ErrorCode.PluginLoad);
  });

  it('with() returns a new registry and leaves the original alone', () => {
    const base = createRegistry([encoder('a:one')]);
    const extended = base.with([encoder('a:two')]);
    expect(extended.has('encoder', 'a:two')).toBe(true);
    expect(base.has('encoder', 'a:two')).toBe(false);
    expect(() => extended.with([encoder('a:one')])).toThrow(OmnifuseError);
  });
});

function catchError(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}
