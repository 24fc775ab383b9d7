import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type EncoderCheckContext,
  type EncoderV1,
  type MediaRef,
  mediaReaderFor,
  toMediaRef,
  type ValueFinding,
} from '@omnifuse/core';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { digitPixels, greyJpeg, imageCorpus } from '@omnifuse/test-utils/image-corpus';
import { afterAll, describe, expect, it } from 'vitest';
import { createCnnEncoder } from '../encoders/cnn.js';
import { createOnnxEncoder } from '../encoders/onnx.js';
import { createPatchEncoder } from '../encoders/patch.js';
import { createResnetEncoder } from '../encoders/resnet.js';
import type { ImageRaw } from '../image-options.js';

const dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-vision-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const corpus = imageCorpus();
for (const file of Object.values(corpus)) writeFileSync(path.join(dir, file.name), file.bytes);
writeFileSync(path.join(dir, 'vector.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>');

// A real (tiny) ONNX model, so vision:onnx is created as a user would create it.
const model = path.join(dir, 'tiny.onnx');
writeFileSync(
  model,
  buildOnnxModel({
    inputs: [{ name: 'pixels', shape: ['batch', 1, 28, 28] }],
    outputs: [{ name: 'embedding', shape: ['batch', 1] }],
    nodes: [
      { op: 'GlobalAveragePool', inputs: ['pixels'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['embedding'], attributes: { axis: 1 } },
    ],
  }),
);

const where = { record: 'r-1', field: 'photo' };
const context: EncoderCheckContext = { ...where, readMedia: mediaReaderFor({ ...where, root: dir }) };
const file = (name: string): MediaRef => toMediaRef(name, dir);

type Checked = EncoderV1<ImageRaw, unknown>;
const encoders: [string, Checked][] = [
  [
    'vision:cnn',
    createCnnEncoder({ preset: 'lenet', preprocess: { size: { width: 28, height: 28 }, channels: 1 } }),
  ],
  ['vision:resnet', createResnetEncoder({ stages: [{ filters: 4, blocks: 1 }] })],
  ['vision:patch', createPatchEncoder({ patchSize: 16, dim: 8 })],
  ['vision:onnx', createOnnxEncoder({ model })],
];

async function check(encoder: Checked, raw: unknown): Promise<readonly ValueFinding[]> {
  expect(encoder.check).toBeTypeOf('function');
  return encoder.check!(raw as ImageRaw, context);
}

/** `severity:code` of each finding, for compact comparisons. */
const codes = (findings: readonly ValueFinding[]) => findings.map((f) => `${f.severity}:${f.code}`);

describe.each(encoders)('%s check', (_id, encoder) => {
  const expected: [string, string[]][] = [
    ['digit.png', []],
    ['truncated.png', ['error:image-truncated']],
    ['empty.png', ['error:image-unreadable']],
    ['notes.png', ['error:image-unreadable']],
    ['photo.png', ['warning:image-extension-mismatch']],
    ['speech.png', ['error:image-unreadable']],
    ['bitrot.png', ['error:image-corrupt']],
    ['bomb.png', ['error:image-too-large']],
    ['old.bmp', ['error:image-unsupported-format']],
    ['vector.svg', ['error:image-unsupported-format']],
  ];
  it.each(expected)('%s → %j', async (name, want) => {
    const findings = await check(encoder, file(name));
    expect(codes(findings)).toEqual(want);
    for (const finding of findings) expect(finding.reason.length).toBeGreaterThan(10);
  });
});

describe('vision check findings', () => {
  const [, cnn] = encoders[0]!;
  const quotable = ['notes.png', 'speech.png', 'empty.png', 'truncated.png'];

  it('say what non-image bytes are, quoting at most 8 escaped bytes', async () => {
    const [text] = await check(cnn, file('notes.png'));
    expect(text!.reason).toBe('not an image: the bytes are text (first bytes "these ar")');
    const [wav] = await check(cnn, file('speech.png'));
    expect(wav!.reason).toMatch(/the bytes are WAV audio \(first bytes "RIFF[^"]{1,20}"\)/);
    const all = JSON.stringify(await Promise.all(quotable.map((name) => check(cnn, file(name)))));
    expect(all).not.toContain('holiday');
  });

  it('name the formats of a misnamed file; it still passes as an image', async () => {
    const [mismatch] = await check(cnn, file('photo.png'));
    expect(mismatch!.reason).toBe(
      'the extension .png names PNG but the bytes are JPEG; it is decoded as JPEG',
    );
    // A declared media type of inline bytes is checked the same way; no declaration, no warning.
    const declared = await check(cnn, { kind: 'inline', bytes: greyJpeg(), mediaType: 'image/png' });
    expect(codes(declared)).toEqual(['warning:image-extension-mismatch']);
    expect(await check(cnn, { kind: 'inline', bytes: greyJpeg() })).toEqual([]);
    // An extension that names no image format is no mismatch.
    writeFileSync(path.join(dir, 'scan.dat'), greyJpeg());
    expect(await check(cnn, file('scan.dat'))).toEqual([]);
  });

  it('give the pixel count against the encoder’s preprocess.maxPixels', async () => {
    const [huge] = await check(cnn, file('bomb.png'));
    expect(huge!.reason).toBe('image has 900000000 pixels (30000×30000), more than maxPixels (50000000)');
    const strict = createCnnEncoder({ preset: 'lenet', preprocess: { maxPixels: 700 } });
    expect(codes(await check(strict, file('digit.png')))).toEqual(['error:image-too-large']);
    expect(codes(await check(strict, { width: 28, height: 28, channels: 1, data: digitPixels() }))).toEqual([
      'error:image-too-large',
    ]);
  });

  it('check decoded pixels cheaply: dimensions, channels, length, values', async () => {
    const ok = { width: 28, height: 28, channels: 1, data: digitPixels() };
    expect(await check(cnn, ok)).toEqual([]);
    const bad: [unknown, RegExp][] = [
      [{ ...ok, data: digitPixels().subarray(1) }, /has 783 values/],
      [{ ...ok, channels: 2 }, /1 \(grey\), 3 \(RGB\) or 4/],
      [{ ...ok, width: 0 }, /width must be a positive integer/],
      [{ ...ok, data: Array.from(ok.data) }, /must be a Uint8Array/],
      [{ ...ok, data: new Float32Array(784).fill(2) }, /outside 0–1/],
    ];
    for (const [raw, reason] of bad) {
      const findings = await check(cnn, raw);
      expect(codes(findings)).toEqual(['error:image-invalid-pixels']);
      expect(findings[0]!.reason).toMatch(reason);
    }
  });

  it('never throw: unreadable files, values of the wrong kind, every cut of a file', async () => {
    const missing = await check(cnn, file('missing.png'));
    expect(codes(missing)).toEqual(['error:image-unreadable']);
    expect(missing[0]!.reason).toMatch(/not found/);
    const bare: EncoderCheckContext = {
      ...where,
      readMedia: () => Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' })),
    };
    expect(await cnn.check!(file('digit.png'), bare)).toEqual([
      { severity: 'error', code: 'image-unreadable', reason: 'image file not found' },
    ]);
    for (const value of [null, 'photo.png', 42, [1, 2], { kind: 'inline' }]) {
      expect(codes(await check(cnn, value))).toEqual(['error:image-unreadable']);
    }
    for (const { bytes } of [corpus.valid, corpus.jpegAsPng]) {
      for (let length = 0; length < bytes.length; length++) {
        const findings = await check(cnn, { kind: 'inline', bytes: bytes.subarray(0, length) });
        expect(findings.some((f) => f.severity === 'error')).toBe(true);
      }
    }
  });
});
