import { createRng } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { digitSpellings, HINT_RATES, makeDigitHint } from './hints.js';

describe('makeDigitHint', () => {
  const hints = Array.from({ length: 1000 }, (_, i) => ({
    label: i % 10,
    hint: makeDigitHint(i % 10, createRng(i)),
  }));

  it('is missing and wrong at close to the target rates', () => {
    const present = hints.filter(({ hint }) => hint.kind !== 'missing');
    const missing = (hints.length - present.length) / hints.length;
    const wrong = present.filter(({ hint }) => hint.kind === 'wrong').length / present.length;
    expect(Math.abs(missing - HINT_RATES.missing)).toBeLessThan(0.04);
    expect(Math.abs(wrong - HINT_RATES.wrong)).toBeLessThan(0.04);
    for (const { hint } of hints) expect(hint.text === null).toBe(hint.kind === 'missing');
  });

  it('names the label when right and another digit when wrong, as a digit or a (misspelt) word', () => {
    for (const { label, hint } of hints) {
      if (hint.kind === 'missing') continue;
      expect(hint.digit === label).toBe(hint.kind === 'right');
      const text = hint.text!.toLowerCase();
      const named =
        text.includes(String(hint.digit)) || digitSpellings(hint.digit!).some((w) => text.includes(w));
      expect(named, hint.text!).toBe(true);
    }
  });

  it('varies its phrasing and case', () => {
    const texts = new Set(hints.map(({ hint }) => hint.text).filter((t) => t !== null));
    expect(texts.size).toBeGreaterThan(200);
    expect([...texts].some((t) => t === t.toUpperCase() && /[A-Z]/.test(t))).toBe(true);
    expect([...texts].some((t) => /^[A-Z][a-z]/.test(t))).toBe(true);
    expect([...texts].some((t) => /^[a-z]/.test(t))).toBe(true);
    expect([...texts].some((t) => /^\d$/.test(t))).toBe(true);
  });

  it('depends only on its rng', () => {
    expect(makeDigitHint(7, createRng(42))).toEqual(makeDigitHint(7, createRng(42)));
  });
});
