import { describe, expect, it } from 'vitest';
import { asPluginError, ErrorCode, errorFields, inPluginStep, OmnifuseError } from './errors.js';

describe('OmnifuseError', () => {
  it('carries structured fields and says where in its message', () => {
    const error = new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'sample is NaN',
      record: 'r7',
      field: 'audio',
      plugin: 'audio:cnn2d',
      step: 'preprocess',
      expected: 'finite number',
      found: 'NaN',
    });
    expect(error.message).toBe(
      '[plugin audio:cnn2d.preprocess, record "r7", field "audio"] sample is NaN (expected finite number, found NaN)',
    );
    expect(error.code).toBe('E_INPUT');
    expect(error).toBeInstanceOf(Error);
  });

  it('is recognised across package copies through the symbol marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('omnifuse.error')]: true });
    expect(OmnifuseError.isInstance(foreign)).toBe(true);
    expect(OmnifuseError.isInstance(new Error('x'))).toBe(false);
    expect(OmnifuseError.isInstance(null)).toBe(false);
  });
});

describe('inPluginStep', () => {
  it('stamps a foreign error with plugin, step and record', async () => {
    const error = await inPluginStep(
      { plugin: 'vision:cnn', step: 'preprocess', record: 3, field: 'img' },
      () => {
        throw new TypeError('boom');
      },
    ).catch((e: unknown) => e as OmnifuseError);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error.code).toBe(ErrorCode.PluginFailed);
    expect(error.plugin).toBe('vision:cnn');
    expect(error.record).toBe(3);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('keeps an OmnifuseError code and fills in what it lacked', async () => {
    const error = await inPluginStep({ plugin: 'p:q', step: 'fit', record: 'a' }, () => {
      throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'empty text', field: 'txt' });
    }).catch((e: unknown) => e as OmnifuseError);
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.field).toBe('txt');
    expect(error.plugin).toBe('p:q');
    expect(error.message).toBe('[plugin p:q.fit, record "a", field "txt"] empty text');
  });
});

describe('withContext and errorFields', () => {
  it('fills in only what the error lacks and rebuilds the message from its reason', () => {
    const error = new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'empty file', file: 'a.png' });
    expect(error.reason).toBe('empty file');
    const stamped = error.withContext({
      record: 7,
      field: 'image',
      file: 'ignored.png',
      plugin: 'vision:cnn',
    });
    expect(stamped.message).toBe('[plugin vision:cnn, record 7, field "image", file a.png] empty file');
    expect(stamped.code).toBe(ErrorCode.InvalidInput);
    expect(stamped.reason).toBe('empty file');
  });

  it('gives fields to spread when re-raising with another code', () => {
    const error = new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'bad size',
      expected: 3,
      found: 4,
    });
    const again = new OmnifuseError({ ...errorFields(error), code: ErrorCode.InvalidOptions, path: 'size' });
    expect(again.message).toBe('[at size] bad size (expected 3, found 4)');
    expect(Object.keys(errorFields(error)).sort()).toEqual(['cause', 'code', 'expected', 'found', 'message']);
  });
});

describe('asPluginError', () => {
  it('wraps a foreign error as E_PLUGIN_FAILED with the context', () => {
    const error = asPluginError(new RangeError('offset out of range'), {
      plugin: 'a:b',
      step: 'fit',
      file: 'm.onnx',
    });
    expect(error.code).toBe(ErrorCode.PluginFailed);
    expect(error.message).toBe('[plugin a:b.fit, file m.onnx] offset out of range');
  });

  it('replaces code and path when asked, but keeps E_BACKEND_UNAVAILABLE', () => {
    const bad = new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'not an ONNX model',
      file: 'x.onnx',
    });
    const asOption = asPluginError(bad, {
      plugin: 'vision:onnx',
      step: 'fit',
      code: ErrorCode.InvalidOptions,
      path: 'model',
    });
    expect([asOption.code, asOption.path, asOption.file, asOption.plugin]).toEqual([
      'E_OPTIONS',
      'model',
      'x.onnx',
      'vision:onnx',
    ]);
    const missing = new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message: 'install onnxruntime-node',
    });
    expect(
      asPluginError(missing, { plugin: 'vision:onnx', step: 'fit', code: ErrorCode.InvalidOptions }).code,
    ).toBe(ErrorCode.BackendUnavailable);
  });
});
