import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from './create-tokenizer.js';
import { normalizeText } from './normalize-text.js';
import { tokenizerOptionsSchema } from './tokenizer-options.js';

const words = createTokenizer();

describe('word tokenizer', () => {
  it('is the default', () => {
    expect(tokenizerOptionsSchema.parse(undefined)).toEqual({ kind: 'word' });
    expect(words.kind).toBe('word');
  });

  it('keeps internal apostrophes and hyphens, drops punctuation', () => {
    expect(words.tokenize("Don't e-mail me, it's well‐known — OK?! ‘quoted’ rock'n'roll")).toEqual([
      "Don't",
      'e-mail',
      'me',
      "it's",
      'well‐known',
      'OK',
      'quoted',
      "rock'n'roll",
    ]);
    expect(words.tokenize("-- 'lead' trail- x-")).toEqual(['lead', 'trail', 'x']);
    expect(words.tokenize('3.14 and 1,000')).toEqual(['3', '14', 'and', '1', '000']);
  });

  it('keeps letters with combining marks and other scripts whole', () => {
    expect(words.tokenize('e\u0301te\u0301 Привет, мир! नमस्ते दुनिया مرحبا بالعالم')).toEqual([
      'e\u0301te\u0301',
      'Привет',
      'мир',
      'नमस्ते',
      'दुनिया',
      'مرحبا',
      'بالعالم',
    ]);
  });

  it('segments Chinese inside mixed text', () => {
    expect(words.tokenize('我爱自然语言处理 and NLP')).toEqual([
      '我',
      '爱',
      '自然',
      '语言',
      '处理',
      'and',
      'NLP',
    ]);
    expect(words.tokenize('今天天气很好，我们去公园散步吧。')).toEqual([
      '今天',
      '天气',
      '很好',
      '我们',
      '去',
      '公园',
      '散步',
      '吧',
    ]);
    // Latin glued to Han splits at the script change.
    expect(words.tokenize('用Python处理中文')).toEqual(['用', 'Python', '处理', '中文']);
  });

  it('segments Japanese with the ja locale when kana is present', () => {
    expect(words.tokenize('私は東京大学で自然言語処理を研究しています。')).toEqual([
      '私',
      'は',
      '東京',
      '大学',
      'で',
      '自然',
      '言語',
      '処理',
      'を',
      '研究',
      'し',
      'てい',
      'ます',
    ]);
    expect(words.tokenize('カタカナのコーヒー')).toContain('コーヒー');
  });

  it('segments Thai', () => {
    expect(words.tokenize('ฉันรักภาษาไทยมาก')).toEqual(['ฉัน', 'รัก', 'ภาษา', 'ไทย', 'มาก']);
    expect(words.tokenize('สวัสดีครับ ยินดีต้อนรับ (Thailand)')).toEqual([
      'สวัสดี',
      'ครับ',
      'ยินดี',
      'ต้อนรับ',
      'Thailand',
    ]);
  });

  it('gives no tokens for empty or punctuation-only text', () => {
    expect(words.tokenize('')).toEqual([]);
    expect(words.tokenize('  \n\t ')).toEqual([]);
    expect(words.tokenize('... !!! — ？。')).toEqual([]);
  });

  it('keeps placeholder tokens whole', () => {
    const keep = ['<url>', '<num>'];
    const tokenizer = createTokenizer({ kind: 'word' }, { keep });
    const text = normalizeText('See https://x.org/a, page 12.', {
      placeholders: { url: '<url>', number: '<num>' },
    });
    expect(tokenizer.tokenize(text)).toEqual(['see', '<url>', 'page', '<num>']);
    expect(tokenizer.tokenize('a<num>b')).toEqual(['a', '<num>', 'b']);
    // Without `keep` the brackets are punctuation.
    expect(words.tokenize(text)).toEqual(['see', 'url', 'page', 'num']);
  });
});

describe('segmenter tokenizer', () => {
  it('segments the whole text in one locale, word-like segments only', () => {
    const zh = createTokenizer({ kind: 'segmenter', locale: 'zh' });
    expect(zh.tokenize('我爱自然语言处理。')).toEqual(['我', '爱', '自然', '语言', '处理']);
    const en = createTokenizer({ kind: 'segmenter', locale: 'en' });
    expect(en.tokenize("Don't stop, 3.14!")).toEqual(["Don't", 'stop', '3.14']);
  });

  it('rejects a malformed locale as E_OPTIONS', () => {
    expect(() => createTokenizer({ kind: 'segmenter', locale: 'not a locale!' })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS', path: 'locale' }),
    );
  });
});

describe('whitespace tokenizer', () => {
  it('splits on Unicode whitespace only', () => {
    const ws = createTokenizer({ kind: 'whitespace' });
    expect(ws.tokenize(' a,b\tc\u3000d\n ')).toEqual(['a,b', 'c', 'd']);
    expect(ws.tokenize('   ')).toEqual([]);
  });
});

describe('tokenizer options', () => {
  it('rejects unknown kinds and bad n-gram ranges', () => {
    expect(() => createTokenizer({ kind: 'bpe' } as never)).toThrow(OmnifuseError);
    expect(() => createTokenizer({ kind: 'char-ngrams', min: 4, max: 2 })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS', path: 'min' }),
    );
    expect(() => createTokenizer({ kind: 'tiktoken', encoding: 'p50k_edit' as never })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS', path: 'encoding' }),
    );
  });
});
