import { createRng } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { degradeDigitImage, IMAGE_DEGRADATION } from './degrade-image.js';

/** A crude "1": a white vertical bar on black. */
const digit = new Uint8Array(28 * 28);
for (let y = 4; y < 24; y++) digit.fill(255, y * 28 + 12, y * 28 + 16);

describe('degradeDigitImage', () => {
  const results = Array.from({ length: 1000 }, (_, i) => degradeDigitImage(digit, 28, 28, createRng(i)));

  it('degrades close to the configured share and leaves the rest untouched', () => {
    const degraded = results.filter((r) => r.degradation !== 'none');
    expect(Math.abs(degraded.length / results.length - IMAGE_DEGRADATION.fraction)).toBeLessThan(0.05);
    for (const r of results.filter((r) => r.degradation === 'none')) expect(r.pixels).toEqual(digit);
    const kinds = new Set(degraded.map((r) => r.degradation));
    expect(kinds).toEqual(new Set(['occlusion', 'noise', 'occlusion+noise']));
  });

  it('changes a degraded image a lot, without touching the input', () => {
    for (const r of results.filter((r) => r.degradation !== 'none')) {
      let changed = 0;
      r.pixels.forEach((v, i) => {
        if (Math.abs(v - digit[i]!) > 30) changed++;
      });
      // At least 5 rows of the 4-pixel-wide bar (a rectangle clamped at the edge), or heavy noise.
      expect(changed).toBeGreaterThanOrEqual(20);
    }
    expect(digit.reduce((n, v) => n + v, 0)).toBe(20 * 4 * 255);
  });
});
