import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { normalizeOptionsSchema, normalizeText } from './normalize-text.js';

describe('normalizeText', () => {
  it('defaults to NFKC and lower case', () => {
    expect(normalizeOptionsSchema.parse({})).toEqual({
      form: 'NFKC',
      lowercase: true,
      stripAccents: false,
      placeholders: { url: false, email: false, number: false },
    });
    // Full-width letters and digits, the ﬁ ligature and ② fold to plain forms.
    expect(normalizeText('ＮＬＰ ２０２４ ﬁne ②')).toBe('nlp 2024 fine 2');
    expect(normalizeText('Café')).toBe('café');
  });

  it('keeps case and compatibility forms when asked', () => {
    expect(normalizeText('ＮＬＰ Café', { form: 'NFC', lowercase: false })).toBe('ＮＬＰ Café');
    expect(normalizeText('e\u0301', { form: 'NFC' })).toBe('é');
    expect(normalizeText('e\u0301', { form: 'none' })).toBe('e\u0301');
  });

  it('keeps Thai and Lao AM composed under NFKC', () => {
    expect('น้ำ'.normalize('NFKC')).not.toBe('น้ำ');
    expect(normalizeText('ฉันดื่มน้ำและทำงาน')).toBe('ฉันดื่มน้ำและทำงาน');
    expect(normalizeText('ຂ້ອຍກິນນ້ຳ')).toBe('ຂ້ອຍກິນນ້ຳ');
    // Explicit NIKHAHIT + SARA AA is joined too (they render identically).
    expect(normalizeText('ท\u0E4D\u0E32')).toBe('ทำ');
  });

  it('strips accents of Latin, Greek and Cyrillic letters only', () => {
    expect(normalizeText('Café naïve Ångström', { stripAccents: true })).toBe('cafe naive angstrom');
    expect(normalizeText('Άλφα', { stripAccents: true })).toBe('αλφα');
    expect(normalizeText('Ёлка', { stripAccents: true })).toBe('елка');
    // Devanagari vowel signs and virama, Thai vowels and tone marks are letters' parts: kept.
    expect(normalizeText('नमस्ते हिन्दी', { stripAccents: true })).toBe('नमस्ते हिन्दी');
    expect(normalizeText('ภาษาไทย น้ำ ทำงาน', { stripAccents: true })).toBe('ภาษาไทย น้ำ ทำงาน');
    // Hangul is decomposed by NFD and must come back composed.
    expect(normalizeText('한국어', { stripAccents: true })).toBe('한국어');
    // Dotted capital I lower-cases to i + U+0307, which stripping then removes.
    expect(normalizeText('İstanbul', { stripAccents: true })).toBe('istanbul');
  });

  it('replaces URLs, emails and numbers by placeholders', () => {
    const placeholders = { url: '<url>', email: '<email>', number: '<num>' };
    expect(
      normalizeText(
        'Mail Bob@Example.org or see https://a.example/c?d=1. It costs 1,000.50 for 3 items, v2',
        {
          placeholders,
        },
      ),
    ).toBe('mail <email> or see <url>. it costs <num> for <num> items, v2');
    expect(normalizeText('go to www.example.com)', { placeholders })).toBe('go to <url>)');
    // The placeholder is inserted after lower-casing, exactly as configured.
    expect(normalizeText('see http://x.y', { placeholders: { url: '<URL>' } })).toBe('see <URL>');
    // `$&` in a placeholder is literal, not a replacement pattern.
    expect(normalizeText('5', { placeholders: { number: '$&' } })).toBe('$&');
  });

  it('rejects bad options as E_OPTIONS', () => {
    const bad = () => normalizeText('x', { form: 'NFD' as never });
    expect(bad).toThrow(OmnifuseError);
    try {
      normalizeText('x', { placeholders: { url: 'has space' } });
      expect.unreachable();
    } catch (error) {
      expect((error as OmnifuseError).code).toBe('E_OPTIONS');
      expect((error as OmnifuseError).path).toBe('placeholders.url');
    }
  });
});
