// Acceptance test for bad records: a manifest that mixes good records with 30+ kinds of broken ones
// (media, paths, text, labels, fields). `omnifuse check` reports every broken record by manifest id
// and none of the good ones; `train --on-invalid fail` exits 1 after printing all of them;
// `train --on-invalid skip` trains on exactly the rest and lists the skipped ids in its summary, the
// report and the bundle; and no process opens a file outside the data root (fs spy preloaded).
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { DataCheckReport } from '@omnifuse/core';
import {
  flacDeclaringHours,
  floatWavWithNaN,
  stereoPcm24Wav,
  wavWithOversizedDataChunk,
  wavWithTruncatedHeader,
  wavWithZeroSamples,
} from '@omnifuse/test-utils/audio-corpus';
import {
  badCrcPng,
  digitPng,
  greyJpeg,
  hugePng,
  textBytes,
  truncatedPng,
  wavBytes,
} from '@omnifuse/test-utils/image-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const cliEntry = path.resolve(import.meta.dirname, '../src/cli.ts');
const fsSpy = path.resolve(import.meta.dirname, 'fs-spy.mjs');
const SECRET = 'TOP-SECRET credentials: never print me';
/** A field left out of the record's manifest line. */
const ABSENT = '@ABSENT@';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every path the process opened or read through node:fs. */
  readonly opened: readonly string[];
}

let base: string;
let root: string;
let secretFile: string;
let runs = 0;

/** Runs the CLI from source in a child process with the fs spy preloaded. */
function omnifuse(args: readonly string[]): Promise<CliResult> {
  const log = path.join(base, `fs-${runs++}.log`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', tsx, '--import', fsSpy, cliEntry, ...args],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', OMNIFUSE_FS_SPY_LOG: log },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const opened = existsSync(log)
          ? readFileSync(log, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => path.resolve(root, l.split('\t')[1]!))
          : [];
        resolve({ code, stdout, stderr, opened });
      },
    );
  });
}

/** A broken record: its id, what is wrong, and the finding code the check must give it. */
interface Broken {
  readonly id: string;
  readonly fields: Record<string, unknown>;
  readonly code: string;
  readonly field: string;
}

const LABELS = ['zero', 'one'];
/** Good records: 12 train, 2 validation, 4 test; fields filled in by `record()`. */
const GOOD = Array.from({ length: 18 }, (_, i) => ({
  id: `good-${String(i).padStart(2, '0')}`,
  split: i < 12 ? 'train' : i < 14 ? 'validation' : 'test',
  label: LABELS[i % 2]!,
}));

function record(id: string, split: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    image: 'media/good.png',
    audio: 'media/good.wav',
    text: 'a round digit',
    label: 'zero',
    split,
    ...fields,
  };
}

/** Errors: the record is invalid. Split: test for label problems, train for the rest. */
function brokenRecords(): Broken[] {
  const b = (id: string, field: string, code: string, fields: Record<string, unknown>): Broken => ({
    id,
    field,
    code,
    fields,
  });
  return [
    // Images.
    b('img-truncated', 'image', 'image-truncated', { image: 'media/truncated.png' }),
    b('img-zero-bytes', 'image', 'empty-file', { image: 'media/empty.png' }),
    b('img-not-an-image', 'image', 'image-unreadable', { image: 'media/notes.png' }),
    b('img-wrong-extension', 'image', 'image-unreadable', { image: 'media/speech.png' }),
    b('img-bad-crc', 'image', 'image-corrupt', { image: 'media/bad-crc.png' }),
    b('img-900-megapixels', 'image', 'image-too-large', { image: 'media/huge.png' }),
    b('img-missing-file', 'image', 'file-not-found', { image: 'media/nowhere.png' }),
    b('img-bad-data-uri', 'image', 'bad-data-uri', { image: 'data:image/png;base64,@@not base64@@' }),
    b('img-a-number', 'image', 'wrong-type', { image: 42 }),
    // Audio.
    b('wav-lies-about-length', 'audio', 'audio-truncated', { audio: 'media/lying.wav' }),
    b('wav-zero-samples', 'audio', 'audio-empty', { audio: 'media/silence.wav' }),
    b('wav-nan-floats', 'audio', 'audio-non-finite', { audio: 'media/nan.wav' }),
    b('wav-truncated-header', 'audio', 'audio-unreadable', { audio: 'media/cut-header.wav' }),
    b('flac-declares-hours', 'audio', 'audio-too-long', { audio: 'media/hours.flac' }),
    // Paths and references.
    b('path-dotdot', 'image', 'path-outside-root', { image: '../secret.txt' }),
    b('path-absolute', 'audio', 'path-outside-root', { audio: '@SECRET@' }),
    b('ref-object', 'audio', 'media-reference-object', { audio: { kind: 'file', path: '@SECRET@' } }),
    b('ref-object-relative', 'image', 'media-reference-object', {
      image: { kind: 'file', path: 'media/good.png', relativePath: 'media/good.png' },
    }),
    b('symlink-out-of-root', 'image', 'path-outside-root', { image: 'media/escape.png' }),
    b('path-a-directory', 'image', 'not-a-file', { image: 'media/folder.png' }),
    b('path-a-fifo', 'audio', 'not-a-file', { audio: 'media/pipe.wav' }),
    b('path-a-device', 'audio', 'path-outside-root', { audio: '/dev/zero' }),
    b('media-url', 'image', 'media-url', { image: 'https://example.com/digit.png' }),
    // Text (an optional input): a value of the wrong type is an error.
    b('text-an-object', 'text', 'wrong-type', { text: { words: 'hello' } }),
    // Labels and fields.
    b('label-missing', 'label', 'missing-label', { label: ABSENT }),
    b('label-null', 'label', 'missing-label', { label: null }),
    b('label-unknown', 'label', 'unknown-label', { label: 'seven', split: 'test' }),
    b('label-an-object', 'label', 'wrong-type', { label: { name: 'zero' } }),
    b('field-missing', 'image', 'missing-value', { image: ABSENT }),
    b('field-null', 'audio', 'missing-value', { audio: null }),
  ];
}

/** Warnings: a documented policy applies and the record is kept. */
const WARNED: readonly { id: string; code: string; fields: Record<string, unknown> }[] = [
  { id: 'warn-text-number', code: 'text-is-number', fields: { text: 7 } },
  { id: 'warn-text-empty', code: 'blank-value', fields: { text: '' } },
  { id: 'warn-text-whitespace', code: 'blank-value', fields: { text: ' \t  ' } },
  { id: 'warn-text-1mb', code: 'text-truncated', fields: { text: 'digit '.repeat(175_000) } },
  { id: 'warn-text-lone-surrogate', code: 'text-malformed', fields: { text: 'zero \uD800 ring' } },
  {
    id: 'warn-text-control-chars',
    code: 'text-control-characters',
    fields: { text: 'zero\u0000\u0007ring' },
  },
  {
    id: 'warn-jpeg-named-png',
    code: 'image-extension-mismatch',
    fields: { image: 'media/really-a-jpeg.png' },
  },
];

let broken: Broken[];

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-invalid-'));
  root = path.join(base, 'data');
  const media = path.join(root, 'media');
  mkdirSync(media, { recursive: true });
  secretFile = path.join(base, 'secret.txt');
  writeFileSync(secretFile, `${SECRET}\n`);
  const files: Record<string, Uint8Array> = {
    'good.png': digitPng(),
    'good.wav': stereoPcm24Wav({ seconds: 0.3 }),
    'truncated.png': truncatedPng(),
    'empty.png': new Uint8Array(0),
    'notes.png': textBytes(),
    'speech.png': wavBytes(),
    'bad-crc.png': badCrcPng(),
    'huge.png': hugePng(),
    'really-a-jpeg.png': greyJpeg(),
    'lying.wav': wavWithOversizedDataChunk(),
    'silence.wav': wavWithZeroSamples(),
    'nan.wav': floatWavWithNaN(),
    'cut-header.wav': wavWithTruncatedHeader(),
    'hours.flac': flacDeclaringHours(),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(media, name), bytes);
  symlinkSync(secretFile, path.join(media, 'escape.png'));
  mkdirSync(path.join(media, 'folder.png'));
  execFileSync('mkfifo', [path.join(media, 'pipe.wav')]);
  // A character device inside the root (/dev/zero's numbers) needs root; CI runs as root.
  let device = false;
  try {
    execFileSync('mknod', [path.join(media, 'zero.wav'), 'c', '1', '5'], { stdio: 'ignore' });
    device = true;
  } catch {
    console.log('not root: the device-file-inside-the-root record is left out of the corpus');
  }

  const corpus = brokenRecords();
  if (device) {
    corpus.push({
      id: 'path-a-device-in-root',
      field: 'audio',
      code: 'not-a-file',
      fields: { audio: 'media/zero.wav' },
    });
  }
  broken = corpus.map((item) => ({
    ...item,
    fields: JSON.parse(JSON.stringify(item.fields).replaceAll('@SECRET@', secretFile)),
  }));
  const rows = [
    ...GOOD.map((g) => record(g.id, g.split, { label: g.label })),
    ...broken.map((item) => {
      const row = record(item.id, 'train', item.fields);
      for (const [key, value] of Object.entries(item.fields)) if (value === ABSENT) delete row[key];
      return row;
    }),
    ...WARNED.map((w, i) => record(w.id, i % 3 === 0 ? 'test' : 'train', w.fields)),
  ];
  writeFileSync(path.join(root, 'manifest.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(
    path.join(root, 'omnifuse.json'),
    JSON.stringify({
      data: 'manifest.jsonl',
      plugins: [
        '@omnifuse/modality-vision',
        '@omnifuse/modality-audio',
        '@omnifuse/modality-text',
        '@omnifuse/fusion-concat',
      ],
      inputs: [
        {
          field: 'image',
          encoder: 'vision:cnn',
          options: {
            preset: 'lenet',
            inChannels: 1,
            preprocess: { size: { width: 28, height: 28 }, channels: 1 },
          },
        },
        {
          field: 'audio',
          encoder: 'audio:cnn1d',
          options: {
            preprocess: {
              sampleRate: 8000,
              duration: 0.25,
              features: { kind: 'mfcc', nFft: 256, nMels: 20, nMfcc: 8 },
            },
          },
        },
        { field: 'text', encoder: 'text:tfidf', optional: true },
      ],
      fusion: { type: 'fusion:concat' },
      output: { type: 'classification', field: 'label', labels: LABELS },
      split: { type: 'column', column: 'split' },
      training: { epochs: 1, batchSize: 8 },
      backend: 'cpu',
    }),
  );
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** Files outside the data root that a record pointed at: none may be opened. */
function outsideTargets(): string[] {
  return [secretFile, '/dev/zero'];
}

function expectNothingOutsideOpened(result: CliResult): void {
  // A positive control: the spy sees this process's reads of media inside the root.
  expect(result.opened).toContain(path.join(root, 'media', 'good.png'));
  for (const target of outsideTargets()) expect(result.opened).not.toContain(target);
  expect(result.stdout + result.stderr).not.toContain('TOP-SECRET');
}

describe('bad records, end to end', () => {
  it('omnifuse check reports every broken record by manifest id, and none of the good ones', async () => {
    const result = await omnifuse(['check', 'omnifuse.json', '--out', 'check.json']);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(readFileSync(path.join(root, 'check.json'), 'utf8')) as DataCheckReport;
    expect(broken.length + WARNED.length).toBeGreaterThanOrEqual(30);

    const byRecord = new Map<string | number, DataCheckReport['findings'][number][]>();
    for (const f of report.findings) byRecord.set(f.record, [...(byRecord.get(f.record) ?? []), f]);
    for (const item of broken) {
      const findings = byRecord.get(item.id) ?? [];
      expect(
        findings.map((f) => [f.field, f.code, f.severity]),
        item.id,
      ).toContainEqual([item.field, item.code, 'error']);
    }
    for (const item of WARNED) {
      const findings = byRecord.get(item.id) ?? [];
      expect(
        findings.map((f) => [f.code, f.severity]),
        item.id,
      ).toEqual([[item.code, 'warning']]);
    }
    for (const good of GOOD) expect(byRecord.get(good.id), good.id).toBeUndefined();
    expect([...report.invalidRecords].sort()).toEqual(broken.map((b) => b.id).sort());
    expect(report).toMatchObject({
      records: GOOD.length + broken.length + WARNED.length,
      invalid: broken.length,
    });
    // Every reason is a sentence, never file contents.
    for (const f of report.findings) expect(f.reason.length).toBeLessThan(300);

    // The table on stderr names every broken record, and the counts per code follow it.
    for (const item of broken) expect(result.stderr).toContain(item.id);
    expect(result.stderr).toMatch(/path-outside-root\s+error\s+4/);
    expect(result.stderr).toContain(
      `${report.records} records checked: ${report.valid} valid, ${broken.length} invalid`,
    );
    expectNothingOutsideOpened(result);
  });

  it('train --on-invalid fail exits 1 after printing every broken record, and saves nothing', async () => {
    const result = await omnifuse(['train', 'omnifuse.json', '--on-invalid', 'fail', '--out', 'model-fail']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('E_INVALID_DATA');
    for (const item of broken) expect(result.stderr).toContain(item.id);
    expect(existsSync(path.join(root, 'model-fail'))).toBe(false);
    expectNothingOutsideOpened(result);
  });

  it('train --on-invalid skip trains on exactly the valid records and lists the skipped ones', async () => {
    const result = await omnifuse([
      'train',
      'omnifuse.json',
      '--on-invalid',
      'skip',
      '--out',
      'model',
      '--report-dir',
      'report',
      '--no-cache',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const brokenIds = broken.map((b) => b.id).sort();
    const summary = JSON.parse(result.stdout);
    expect([...summary.skipped].sort()).toEqual(brokenIds);
    expect(result.stderr).toContain(`skipping ${broken.length} invalid records`);

    const bundle = JSON.parse(readFileSync(path.join(root, 'model', 'omnifuse.json'), 'utf8'));
    expect(bundle.data.skipped.count).toBe(broken.length);
    expect(bundle.data.skipped.records.map((r: { record: string }) => r.record).sort()).toEqual(brokenIds);
    const report = JSON.parse(readFileSync(path.join(root, 'report', 'report.json'), 'utf8'));
    expect(report.skipped.records.map((r: { record: string }) => r.record).sort()).toEqual(brokenIds);
    expect(readFileSync(path.join(root, 'report', 'report.html'), 'utf8')).toContain('Skipped records');
    // The test split's report covers its valid records: the good ones and the kept (warned) ones.
    const testIds = [...GOOD.filter((g) => g.split === 'test'), ...WARNED.filter((_, i) => i % 3 === 0)];
    expect(report.size).toBe(testIds.length);
    expectNothingOutsideOpened(result);

    // Prediction skips the same records (its own check), and predicts every other one.
    const predicted = await omnifuse([
      'predict',
      'model',
      '--data',
      'manifest.jsonl',
      '--on-invalid',
      'skip',
    ]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const ids = predicted.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    // Label problems do not make a record unpredictable: prediction does not read labels.
    const labelOnly = broken.filter((b) => b.field === 'label').map((b) => b.id);
    const expected = [...GOOD.map((g) => g.id), ...WARNED.map((w) => w.id), ...labelOnly].sort();
    expect([...ids].sort()).toEqual(expected);
    expectNothingOutsideOpened(predicted);
  });
});
