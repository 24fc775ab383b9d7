import { type EncoderMeasureContext, readMedia } from '@omnifuse/core';
import { digitPng, hugePng, textBytes, truncatedPng } from '@omnifuse/test-utils/image-corpus';
import { describe, expect, it } from 'vitest';
import { createCnnEncoder } from '../encoders/cnn.js';
import { measureImageValue } from './measure-image.js';

const context: EncoderMeasureContext = {
  record: 'r1',
  field: 'photo',
  readMedia: (ref) => readMedia(ref),
  limits: { pixels: 4096 * 4096 },
};
const inline = (bytes: Uint8Array) => ({ kind: 'inline' as const, bytes });

describe('measureImageValue', () => {
  it("reads the size from the header: a 900-megapixel PNG's claim costs a few hundred bytes", async () => {
    await expect(measureImageValue(inline(hugePng(30_000)), context)).resolves.toEqual({
      width: 30_000,
      height: 30_000,
      source: 'header',
    });
    await expect(measureImageValue(inline(digitPng()), context)).resolves.toEqual({
      width: 28,
      height: 28,
      source: 'header',
    });
  });

  it('throws E_INPUT for bytes that are no readable image', async () => {
    for (const bytes of [textBytes(), truncatedPng(), new Uint8Array(0)]) {
      await expect(measureImageValue(inline(bytes), context)).rejects.toMatchObject({
        name: 'OmnifuseError',
        code: 'E_INPUT',
      });
    }
  });

  it('measures pixels decoded in code, and refuses malformed ones', async () => {
    const pixels = { width: 4, height: 2, channels: 1 as const, data: new Uint8Array(8) };
    await expect(measureImageValue(pixels, context)).resolves.toEqual({
      width: 4,
      height: 2,
      source: 'decoded',
    });
    await expect(measureImageValue({ ...pixels, width: 0 }, context)).rejects.toMatchObject({
      code: 'E_INPUT',
    });
  });

  it("is every vision encoder's measure hook", async () => {
    const encoder = createCnnEncoder();
    await expect(encoder.measure!(inline(digitPng()), context)).resolves.toMatchObject({
      width: 28,
      height: 28,
    });
  });
});
