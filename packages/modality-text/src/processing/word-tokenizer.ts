/**
 * Scripts written without spaces between words, whose runs go to `Intl.Segmenter` (ICU's dictionary
 * segmentation). Script_Extensions, so the prolonged sound mark ー, iteration marks and the CJK
 * punctuation that belongs to these scripts stay in the run.
 */
const SEGMENTED = {
  cjk: '\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}',
  th: '\\p{scx=Thai}',
  lo: '\\p{scx=Lao}',
  km: '\\p{scx=Khmer}',
  my: '\\p{scx=Myanmar}',
} as const;
const ALL_SEGMENTED = Object.values(SEGMENTED).join('');

// A letter, mark or digit of any other script.
const WORD_CHAR = `(?:(?![${ALL_SEGMENTED}])[\\p{L}\\p{M}\\p{N}])`;
// Apostrophes (' and ’) and hyphens (-, U+2010, U+2011) inside a word keep it whole: don't, e-mail.
const JOINER = "['\u2019\\-\u2010\u2011]";
const WORD = `${WORD_CHAR}+(?:${JOINER}${WORD_CHAR}+)*`;

const PIECE = new RegExp(
  `(?<cjk>[${SEGMENTED.cjk}]+)|(?<th>[${SEGMENTED.th}]+)|(?<lo>[${SEGMENTED.lo}]+)` +
    `|(?<km>[${SEGMENTED.km}]+)|(?<my>[${SEGMENTED.my}]+)|(?<word>${WORD})`,
  'gu',
);
// Marks shared by both (ー, ・) are Common script, so they do not make Chinese text Japanese.
const KANA_LETTER = /[\p{sc=Hiragana}\p{sc=Katakana}]/u;

/** One `Intl.Segmenter` per locale; they hold no per-text state, so a tokenizer can share them. */
export function segmenterCache(): (locale: string) => Intl.Segmenter {
  const cache = new Map<string, Intl.Segmenter>();
  return (locale) => {
    let segmenter = cache.get(locale);
    if (!segmenter) {
      segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
      cache.set(locale, segmenter);
    }
    return segmenter;
  };
}

/** Word-like segments of `text` (letters, digits, ideographs), as `Intl.Segmenter` finds them. */
export function segmentWords(segmenter: Intl.Segmenter, text: string): string[] {
  const out: string[] = [];
  for (const segment of segmenter.segment(text)) if (segment.isWordLike) out.push(segment.segment);
  return out;
}

/**
 * Unicode-aware words: runs of letters, marks and digits, with internal apostrophes and hyphens;
 * punctuation and symbols are dropped. Runs of Han, kana, Thai, Lao, Khmer or Myanmar script are
 * segmented by `Intl.Segmenter` with the script's locale (`ja` for Han when the text has kana).
 */
export function createWordTokenize(): (text: string) => string[] {
  const segmenter = segmenterCache();
  return (text) => {
    const out: string[] = [];
    let cjkLocale: string | undefined;
    for (const match of text.matchAll(PIECE)) {
      const groups = match.groups!;
      if (groups.word !== undefined) {
        out.push(groups.word);
        continue;
      }
      let locale: string;
      if (groups.cjk !== undefined) {
        cjkLocale ??= KANA_LETTER.test(text) ? 'ja' : 'zh';
        locale = cjkLocale;
      } else
        locale =
          groups.th !== undefined
            ? 'th'
            : groups.lo !== undefined
              ? 'lo'
              : groups.km !== undefined
                ? 'km'
                : 'my';
      for (const word of segmentWords(segmenter(locale), match[0])) out.push(word);
    }
    return out;
  };
}

/** `Intl.Segmenter` word segmentation of the whole text in one locale, word-like segments only. */
export function createSegmenterTokenize(locale: string): (text: string) => string[] {
  const segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
  return (text) => segmentWords(segmenter, text);
}

/** Splits on Unicode whitespace. */
export function whitespaceTokenize(text: string): string[] {
  return text.split(/\s+/u).filter((token) => token.length > 0);
}
