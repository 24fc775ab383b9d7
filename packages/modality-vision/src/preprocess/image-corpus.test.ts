// The generated corpus of broken image files through the three ways this package reads an image:
// probeImage (header only), the encoders' check hook, and the sharp-based preprocessor.
import { type EncoderPreprocessContext, OmnifuseError } from '@omnifuse/core';
import { type CorpusFile, digitPixels, imageCorpus } from '@omnifuse/test-utils/image-corpus';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkImageValue } from '../check/check-image.js';
import { probeImage } from '../probe/probe-image.js';
import { createImagePreprocessor } from './image-preprocessor.js';

const corpus = imageCorpus();
const preprocessor = createImagePreprocessor({ size: { width: 28, height: 28 }, channels: 1 });
const context: EncoderPreprocessContext = {
  record: 'r-9',
  field: 'digit',
  readMedia: async (ref) => (ref.kind === 'inline' ? ref.bytes : new Uint8Array()),
};
const inline = (file: CorpusFile) => ({ kind: 'inline' as const, bytes: file.bytes });

async function preprocessFailure(file: CorpusFile): Promise<OmnifuseError> {
  try {
    await preprocessor.preprocess(inline(file), context);
  } catch (error) {
    expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error(`expected preprocessing ${file.name} to fail`);
}

function probeProblem(file: CorpusFile): unknown {
  try {
    probeImage(file.bytes);
    return undefined;
  } catch (error) {
    expect(OmnifuseError.isInstance(error)).toBe(true);
    return (error as OmnifuseError).details?.problem;
  }
}

describe('the image corpus', () => {
  it('has a real, decodable 28×28 grey digit, the same pixels sharp reads', async () => {
    expect(probeImage(corpus.valid.bytes)).toEqual({ format: 'png', width: 28, height: 28, channels: 1 });
    const { data, info } = await sharp(corpus.valid.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 28, height: 28 });
    const decoded = Uint8Array.from({ length: 28 * 28 }, (_, i) => data[i * info.channels]!);
    expect(decoded).toEqual(digitPixels());
    // Ink on the ring, none in the centre and the corners.
    expect(decoded[14 * 28 + 14]).toBe(0);
    expect(decoded[0]).toBe(0);
    expect(Math.max(...decoded)).toBeGreaterThan(200);
    const feature = await preprocessor.preprocess(inline(corpus.valid), context);
    expect(Array.from(feature.data)).toEqual(Array.from(decoded));
  });

  it('keeps every file small (the 900-megapixel PNG too) and the bomb a real PNG', async () => {
    for (const file of Object.values(corpus)) expect(file.bytes.length, file.name).toBeLessThan(1 << 20);
    const metadata = await sharp(corpus.huge.bytes, { limitInputPixels: false }).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 30000, height: 30000 });
  });

  it('has a misnamed JPEG that sharp decodes', async () => {
    const feature = await preprocessor.preprocess(inline(corpus.jpegAsPng), context);
    expect(new Set(feature.data)).toEqual(new Set([128]));
  });

  const broken: [keyof typeof corpus, unknown, RegExp][] = [
    ['truncated', 'truncated', /truncated or corrupt PNG/],
    ['empty', 'empty', /empty file/],
    ['text', 'unknown-format', /unsupported image format/],
    ['wavAsPng', 'unknown-format', /unsupported image format/],
    ['badCrc', 'corrupt', /truncated or corrupt PNG/],
    ['huge', undefined, /image has 900000000 pixels \(30000×30000\), more than maxPixels \(50000000\)/],
    ['bmp', undefined, /unsupported image format: BMP/],
  ];
  it.each(broken)('%s: probeImage says %j; sharp refuses it with E_INPUT', async (key, problem, message) => {
    const file = corpus[key];
    expect(probeProblem(file)).toBe(problem);
    const error = await preprocessFailure(file);
    expect(error).toMatchObject({ code: 'E_INPUT', record: 'r-9', field: 'digit' });
    expect(error.message).toMatch(message);
    // And the check hook finds it before anything is decoded.
    const findings = await checkImageValue(inline(file), { maxPixels: 50_000_000 }, context);
    expect(findings.some((finding) => finding.severity === 'error')).toBe(true);
  });
});
