import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessField } from '../cache/preprocess-field.js';
import { createDataset } from '../dataset/dataset.js';
import { encoderInput, escapedMagic, readMedia } from '../dataset/media.js';
import { MAX_TEXT_LENGTH, sanitizeText, textFindings } from '../dataset/text-policy.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { type ModelSpecInput, parseModelSpec } from '../model-spec.js';
import { createRegistry } from '../registry.js';
import type { EncoderPluginV1, EncoderV1, MediaRef, ValueFinding } from '../spec/index.js';
import { createMockEncoderPlugin } from '../testing/mock-encoder.js';
import { checkDataset } from './check-dataset.js';
import { formatCheckReport, invalidDataError, skippedRecords, withPreprocessFailures } from './report.js';

const SECRET = 'SECRET-BYTES of a file outside the root';
let base: string;
let root: string;
let secret: string;

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-check-'));
  root = path.join(base, 'root');
  mkdirSync(path.join(root, 'media'), { recursive: true });
  secret = path.join(base, 'secret.txt');
  writeFileSync(secret, SECRET);
  writeFileSync(path.join(root, 'media', 'a.bin'), 'GOODgood');
  writeFileSync(path.join(root, 'media', 'bad.bin'), 'BAD!bad!');
  writeFileSync(path.join(root, 'media', 'empty.bin'), '');
  writeFileSync(path.join(root, 'media', 'ok.png'), 'GOODgood');
  writeFileSync(path.join(root, 'media', 'late.png'), 'BAD!bad!');
  writeFileSync(path.join(root, 'media', 'sound.png'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'));
  mkdirSync(path.join(root, 'media', 'folder.bin'));
  symlinkSync(secret, path.join(root, 'media', 'link.bin'));
  execFileSync('mkfifo', [path.join(root, 'media', 'pipe.bin')]);
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/**
 * A media encoder whose `check` reads the bytes it is given and calls files starting "BAD!" corrupt;
 * it records every reference it was asked to read.
 */
function byteCheckingPlugin(reads: string[] = []): EncoderPluginV1<MediaRef, null> {
  const encoder: EncoderV1<MediaRef, null> = {
    specificationVersion: 'v1',
    id: 'test:bytes',
    modality: 'image',
    version: '1',
    options: {},
    fit: () => null,
    async preprocess(raw, _state, context) {
      const bytes = await context.readMedia(raw);
      if (bytes[0] === 0x42) {
        throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'bytes start with B', ...context });
      }
      return { dtype: 'float32', shape: [2], data: Float32Array.of(bytes[0]!, bytes.length) };
    },
    featureSpec: () => ({ dtype: 'float32', shape: [2] }),
    build: () => {
      throw new Error('not built in these tests');
    },
    async check(raw, context): Promise<ValueFinding[]> {
      if (raw.kind === 'file') reads.push(raw.path);
      const bytes = await context.readMedia(raw);
      return new TextDecoder().decode(bytes.subarray(0, 4)) === 'BAD!'
        ? [{ severity: 'error', code: 'bytes-corrupt', reason: `starts with ${escapedMagic(bytes)}` }]
        : [];
    },
  };
  return {
    specificationVersion: 'v1',
    kind: 'encoder',
    id: 'test:bytes',
    modality: 'image',
    create: () => encoder,
  };
}

function spec(extra: Partial<ModelSpecInput> = {}) {
  return parseModelSpec({
    inputs: [
      { field: 'media', encoder: 'test:bytes' },
      { field: 'x', encoder: 'mock:numbers', optional: true },
    ],
    fusion: { type: 'fusion:concat' },
    output: { type: 'classification', field: 'label' },
    split: { type: 'column', column: 'split' },
    ...extra,
  });
}

describe('checkDataset', () => {
  it('reports every bad record by id in one pass, with split, field, code and reason', async () => {
    const reads: string[] = [];
    const registry = createRegistry([byteCheckingPlugin(reads), createMockEncoderPlugin()]);
    const good = (id: string, split = 'train', label = 'a') => ({
      id,
      media: 'media/a.bin',
      x: 1,
      label,
      split,
    });
    const dataset = createDataset(
      [
        good('g1'),
        good('g2', 'train', 'b'),
        { ...good('corrupt'), media: 'media/bad.bin' },
        { ...good('empty'), media: 'media/empty.bin' },
        { ...good('dotdot'), media: '../secret.txt' },
        { ...good('absolute'), media: secret },
        { ...good('object'), media: { kind: 'file', path: secret } },
        { ...good('symlink'), media: 'media/link.bin' },
        { ...good('folder'), media: 'media/folder.bin' },
        { ...good('fifo'), media: 'media/pipe.bin' },
        { ...good('missing-file'), media: 'media/none.bin' },
        { ...good('url'), media: 'file:///etc/hostname' },
        { ...good('nan'), x: Number.NaN },
        { ...good('no-media'), media: null },
        { ...good('no-label'), label: null },
        good('unseen-label', 'test', 'c'),
        good('seen-label', 'test', 'b'),
      ],
      { root },
    );
    const report = await checkDataset(dataset, spec(), { registry });
    const codes = Object.fromEntries(
      [...new Set(report.findings.map((f) => f.record))].map((id) => [
        id,
        report.findings.filter((f) => f.record === id).map((f) => `${f.field}:${f.code}`),
      ]),
    );
    expect(codes).toEqual({
      corrupt: ['media:bytes-corrupt'],
      empty: ['media:empty-file'],
      dotdot: ['media:path-outside-root'],
      absolute: ['media:path-outside-root'],
      object: ['media:media-reference-object'],
      symlink: ['media:path-outside-root'],
      folder: ['media:not-a-file'],
      fifo: ['media:not-a-file'],
      'missing-file': ['media:file-not-found'],
      url: ['media:media-url'],
      nan: ['x:non-finite'],
      'no-media': ['media:missing-value'],
      'no-label': ['label:missing-label'],
      'unseen-label': ['label:unknown-label'],
    });
    expect(report.findings.find((f) => f.record === 'unseen-label')).toMatchObject({
      split: 'test',
      row: 15,
      severity: 'error',
      reason: 'label "c" is not one the training split has',
    });
    expect(report).toMatchObject({ records: 17, valid: 3, invalid: 14, errors: 14, warnings: 0 });
    expect(report.invalidRecords).toEqual(Object.keys(codes));
    expect(report.byCode['path-outside-root']).toEqual({ severity: 'error', count: 3 });
    // The encoder's check only ever saw files inside the root, and nothing quotes the secret.
    expect(reads.every((file) => file.startsWith(`${root}${path.sep}`))).toBe(true);
    expect(JSON.stringify(report)).not.toContain('SECRET-BYTES');
    expect(report.findings.find((f) => f.record === 'corrupt')!.reason).toBe('starts with "BAD!bad!"');

    const table = formatCheckReport(report);
    expect(table).toMatch(/^record\s+split\s+field\s+severity\s+code\s+reason$/m);
    expect(table).toMatch(/^unseen-label\s+test\s+label\s+error\s+unknown-label\s+label "c"/m);
    expect(table).toContain('17 records checked: 3 valid, 14 invalid (14 errors, 0 warnings)');
    const error = invalidDataError(report);
    expect(error).toMatchObject({ code: ErrorCode.InvalidData, details: { report } });
    expect(error.message).toContain('14 of 17 records are invalid');
    expect(skippedRecords(report)).toMatchObject({
      count: 14,
      records: expect.arrayContaining([
        { record: 'fifo', problems: [{ field: 'media', code: 'not-a-file', reason: expect.any(String) }] },
      ]),
    });
  });

  it('warns under the text policy, and knows the labels a trained model has', async () => {
    const textPlugin = createMockEncoderPlugin({ id: 'mock:text', modality: 'text' });
    const registry = createRegistry([textPlugin]);
    const textSpec = parseModelSpec({
      inputs: [{ field: 'note', encoder: 'mock:text', optional: true }],
      output: { type: 'classification', field: 'label' },
    });
    const dataset = createDataset([
      { id: 'blank', note: '  ', label: 'a' },
      { id: 'long', note: 'x'.repeat(MAX_TEXT_LENGTH + 1), label: 'a' },
      { id: 'number', note: 3, label: 'b' },
      { id: 'object', note: { a: 1 }, label: 'a' },
      { id: 'unknown', note: 'fine', label: 'z' },
    ]);
    const report = await checkDataset(dataset, textSpec, { registry, knownLabels: ['a', 'b'] });
    expect(report.findings.map((f) => [f.record, f.code, f.severity])).toEqual([
      ['blank', 'blank-value', 'warning'],
      ['long', 'text-truncated', 'warning'],
      ['number', 'text-is-number', 'warning'],
      ['object', 'wrong-type', 'error'],
      ['unknown', 'unknown-label', 'error'],
    ]);
    expect(report.invalidRecords).toEqual(['object', 'unknown']);
    // Prediction reads no labels.
    const unlabelled = await checkDataset(dataset, textSpec, { registry, labels: false });
    expect(unlabelled.invalidRecords).toEqual(['object']);
  });

  it('sniffs media without an encoder check: an image field holding audio is an error', async () => {
    const registry = createRegistry([createMockEncoderPlugin({ id: 'mock:image', modality: 'image' })]);
    const imageSpec = parseModelSpec({
      inputs: [{ field: 'image', encoder: 'mock:image' }],
      output: { type: 'regression', field: 'y' },
    });
    const dataset = createDataset(
      [
        { id: 'wav', image: 'media/sound.png', y: 1 },
        { id: 'nan', image: 'media/sound.png', y: Number.NaN },
        { id: 'text', image: 'media/sound.png', y: 'many' },
      ],
      { root },
    );
    const report = await checkDataset(dataset, imageSpec, { registry });
    expect(report.findings.map((f) => [f.record, f.field, f.code])).toEqual([
      ['wav', 'image', 'wrong-media-type'],
      ['nan', 'y', 'non-finite'],
      ['nan', 'image', 'wrong-media-type'],
      ['text', 'y', 'non-finite'],
      ['text', 'image', 'wrong-media-type'],
    ]);
  });

  it('adds preprocessing failures to the report as their records', async () => {
    const registry = createRegistry([byteCheckingPlugin(), createMockEncoderPlugin()]);
    const dataset = createDataset(
      [
        { id: 'ok', media: 'media/ok.png', x: 1, label: 'a', split: 'train' },
        // Without the encoder's check nothing finds "BAD!" (unknown magic, an image's name), but preprocess throws.
        { id: 'late', media: 'media/late.png', x: 1, label: 'a', split: 'train' },
      ],
      { root },
    );
    const plugin = byteCheckingPlugin();
    const encoder = plugin.create();
    const batch = await preprocessField(dataset, 'media', encoder, null, { invalid: 'collect' });
    expect(batch.failures.map((f) => [f.index, f.record, f.field, f.code])).toEqual([
      [1, 'late', 'media', ErrorCode.InvalidInput],
    ]);
    expect(Array.from(batch.presence)).toEqual([1, 0]);
    const report = await checkDataset(dataset, spec(), {
      registry,
      encoders: { media: { ...encoder, check: undefined } },
    });
    expect(report.invalid).toBe(0);
    const merged = withPreprocessFailures(report, batch.failures, dataset, 'train');
    expect(merged).toMatchObject({ invalid: 1, errors: 1, invalidRecords: ['late'] });
    expect(merged.findings[0]).toMatchObject({ record: 'late', code: 'preprocess-failed', split: 'train' });
    // Without `collect` the first failure stops the run, named by record id.
    await expect(preprocessField(dataset, 'media', encoder, null)).rejects.toMatchObject({ record: 'late' });
  });
});

describe('media references', () => {
  it('refuses reference objects where media is expected, in encoderInput and preprocessField', async () => {
    expect(() => encoderInput({ kind: 'file', path: secret }, root, true, { record: 7, field: 'm' })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput, record: 7, field: 'm' }),
    );
    expect(() => encoderInput(new URL(`file://${secret}`), root, true)).toThrow(/reference objects/);
    // Decoded media given in code passes through; outside media fields nothing is touched.
    const pixels = { width: 1, height: 1, channels: 1, data: Uint8Array.of(3) };
    expect(encoderInput(pixels, root, true)).toBe(pixels);
    expect(encoderInput({ kind: 'x' }, root, false)).toEqual({ kind: 'x' });

    const plugin = byteCheckingPlugin();
    const dataset = createDataset([{ id: 'r1', media: { kind: 'file', path: secret, relativePath: 'x' } }], {
      root,
    });
    const error = await preprocessField(dataset, 'media', plugin.create(), null).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput, record: 'r1', field: 'media' });
    expect(String(error)).not.toContain('SECRET-BYTES');
  });

  it('readMedia confines file references to the root and reads regular files only, without blocking', async () => {
    const ref = (file: string): MediaRef => ({ kind: 'file', path: file, relativePath: path.basename(file) });
    await expect(readMedia(ref(secret), { root, record: 'r', field: 'f' })).rejects.toMatchObject({
      code: ErrorCode.PathOutsideRoot,
      record: 'r',
    });
    await expect(readMedia(ref(path.join(root, 'media', 'link.bin')), { root })).rejects.toMatchObject({
      code: ErrorCode.PathOutsideRoot,
    });
    const started = Date.now();
    await expect(readMedia(ref(path.join(root, 'media', 'pipe.bin')), { root })).rejects.toThrow(
      /not a regular file/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(readMedia(ref(path.join(root, 'media', 'folder.bin')), { root })).rejects.toThrow(
      /is a folder/,
    );
    expect(new TextDecoder().decode(await readMedia(ref(path.join(root, 'media', 'a.bin')), { root }))).toBe(
      'GOODgood',
    );
  });

  it('quotes at most 8 bytes, escaped', () => {
    expect(escapedMagic(new TextEncoder().encode('hello "world" and more'))).toBe('"hello \\x22w"');
    expect(escapedMagic(Uint8Array.of(0, 0x5c, 0xff))).toBe('"\\x00\\x5c\\xff"');
  });
});

describe('text policy', () => {
  it('sanitizes exactly what textFindings warns about', () => {
    expect(sanitizeText(12.5)).toBe('12.5');
    expect(sanitizeText('a\u0000b\u0007c\td\ne')).toBe('a b c\td\ne');
    expect(sanitizeText('x\uD800y\uDC00z \uD83D\uDE00')).toBe('x\uFFFDy\uFFFDz \uD83D\uDE00');
    const long = `${'a'.repeat(MAX_TEXT_LENGTH - 1)}\uD83D\uDE00tail`;
    expect(sanitizeText(long)).toBe('a'.repeat(MAX_TEXT_LENGTH - 1));
    expect(sanitizeText({ a: 1 })).toEqual({ a: 1 });
    expect(textFindings('plain text')).toEqual([]);
    expect(textFindings('x\uD800').map((f) => f.code)).toEqual(['text-malformed']);
    expect(textFindings(Number.POSITIVE_INFINITY)).toMatchObject([{ severity: 'error', code: 'non-finite' }]);
  });
});
