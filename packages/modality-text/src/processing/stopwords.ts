import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import * as stopword from 'stopword';

// The `stopword` package's lists by its keys (ISO 639-3, plus lggNd, panGu, porBr and _123 for digits).
const LISTS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(stopword as unknown as Record<string, unknown>).filter(
    (entry): entry is [string, string[]] => Array.isArray(entry[1]),
  ),
);

// ISO 639-1 codes (and the regional tags the package has lists for) → the package's keys.
const ISO_639_1: Record<string, string> = {
  af: 'afr',
  ar: 'ara',
  bn: 'ben',
  br: 'bre',
  bg: 'bul',
  ca: 'cat',
  cs: 'ces',
  da: 'dan',
  de: 'deu',
  el: 'ell',
  en: 'eng',
  eo: 'epo',
  et: 'est',
  eu: 'eus',
  fa: 'fas',
  fi: 'fin',
  fr: 'fra',
  ga: 'gle',
  gl: 'glg',
  gu: 'guj',
  ha: 'hau',
  he: 'heb',
  hi: 'hin',
  hr: 'hrv',
  hu: 'hun',
  hy: 'hye',
  id: 'ind',
  it: 'ita',
  ja: 'jpn',
  ko: 'kor',
  ku: 'kur',
  la: 'lat',
  lv: 'lav',
  lt: 'lit',
  mr: 'mar',
  ms: 'msa',
  my: 'mya',
  nl: 'nld',
  nb: 'nob',
  no: 'nob',
  pa: 'panGu',
  pl: 'pol',
  pt: 'por',
  'pt-br': 'porBr',
  ro: 'ron',
  ru: 'rus',
  sk: 'slk',
  sl: 'slv',
  so: 'som',
  st: 'sot',
  es: 'spa',
  sw: 'swa',
  sv: 'swe',
  tl: 'tgl',
  th: 'tha',
  tr: 'tur',
  uk: 'ukr',
  ur: 'urd',
  vi: 'vie',
  yo: 'yor',
  zh: 'zho',
  zu: 'zul',
};
const BY_LOWER_KEY = new Map(Object.keys(LISTS).map((key) => [key.toLowerCase(), key]));

/** The package's key for a language code: its own key in any case, ISO 639-1, or a tag like `zh-CN`. */
function listKey(language: string): string | undefined {
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  const direct = BY_LOWER_KEY.get(tag) ?? BY_LOWER_KEY.get(tag.replace(/-/g, '')) ?? ISO_639_1[tag];
  if (direct) return direct;
  const base = tag.split('-')[0]!;
  return BY_LOWER_KEY.get(base) ?? ISO_639_1[base];
}

/** The language codes `stopwordSet` accepts: the package's keys and their ISO 639-1 codes. */
export function stopwordLanguages(): string[] {
  return [...Object.keys(LISTS), ...Object.keys(ISO_639_1)].sort();
}

/**
 * The union of the `stopword` package's lists for `languages`: its ISO 639-3 keys (`eng`, `zho`,
 * `jpn`, `tha` …) or ISO 639-1 codes (`en`, `zh`, `pt-BR` …), case-insensitive. The words are as the
 * package lists them (lower case); the text pipeline normalises them like its tokens. An unknown
 * language is an `E_OPTIONS` OmnifuseError listing the available codes.
 */
export function stopwordSet(languages: readonly string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const language of languages) {
    const key = typeof language === 'string' ? listKey(language) : undefined;
    if (!key) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `no stop word list for language ${JSON.stringify(language)}`,
        path: 'stopwords',
        expected: 'an ISO 639-3 or ISO 639-1 code of a stopword list',
        found: language,
        details: { available: stopwordLanguages() },
      });
    }
    for (const word of LISTS[key]!) set.add(word);
  }
  return set;
}

/** The tokens not in `stopwords`, in order; matching is exact (normalise both sides alike). */
export function removeStopwords(tokens: readonly string[], stopwords: ReadonlySet<string>): string[] {
  return tokens.filter((token) => !stopwords.has(token));
}
