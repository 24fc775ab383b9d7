import {
  componentType,
  fieldReader,
  isObject,
  type Json,
  malformed,
  type TokenizerSource,
  unsupported,
} from './errors.js';
import { compileOnigRegex, literalRegex } from './onig-regex.js';
import { isChineseChar, isControl, isWhitespace, lowercase, stripNonspacingMarks } from './unicode.js';

/** A normalizer: text in, normalized text out (no offsets: encode needs none). */
export type Normalizer = (text: string) => string;

/** Builds the `normalizer` section; null when there is none. */
export function buildNormalizer(
  json: unknown,
  source: TokenizerSource,
  path = 'normalizer',
): Normalizer | null {
  if (json === null || json === undefined) return null;
  const type = componentType(source, json, path);
  const spec = json as Json;
  const read = fieldReader(source, spec, path);
  switch (type) {
    case 'BertNormalizer':
      return bertNormalizer({
        cleanText: read.bool('clean_text', true),
        handleChineseChars: read.bool('handle_chinese_chars', true),
        // null: strip accents exactly when lowercasing (the uncased BERT behaviour).
        stripAccents: read.optionalBool('strip_accents') ?? read.bool('lowercase', true),
        lowercase: read.bool('lowercase', true),
      });
    case 'Lowercase':
      return lowercase;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (text) => text.normalize(type);
    case 'StripAccents':
      // Only removes nonspacing marks; pair it with NFD to take accents off precomposed letters.
      return stripNonspacingMarks;
    case 'Strip': {
      const left = read.bool('strip_left', true);
      const right = read.bool('strip_right', true);
      return (text) => {
        let out = text;
        if (left) out = out.replace(/^\p{White_Space}+/u, '');
        if (right) out = out.replace(/\p{White_Space}+$/u, '');
        return out;
      };
    }
    case 'Prepend': {
      const prepend = read.string('prepend');
      return (text) => (text === '' ? text : prepend + text);
    }
    case 'Replace': {
      const regex = patternRegex(spec.pattern, source, `${path}.pattern`);
      const content = read.string('content');
      return (text) => text.replace(regex, () => content);
    }
    case 'Sequence': {
      const steps = read
        .list('normalizers')
        .map((step, i) => buildNormalizer(step, source, `${path}.normalizers[${i}]`))
        .filter((step): step is Normalizer => step !== null);
      return (text) => steps.reduce((out, step) => step(out), text);
    }
    default:
      return unsupported(source, `${path}.type`, `the normalizer "${type}"`, type);
  }
}

/** `{ String: "…" }` or `{ Regex: "…" }` as the `tokenizers` library serialises a pattern. */
export function patternRegex(pattern: unknown, source: TokenizerSource, path: string): RegExp {
  if (isObject(pattern) && typeof pattern.String === 'string') return literalRegex(pattern.String);
  if (isObject(pattern) && typeof pattern.Regex === 'string')
    return compileOnigRegex(pattern.Regex, source, `${path}.Regex`);
  return malformed(
    source,
    path,
    'a pattern is { String } or { Regex }',
    '{ String: … } | { Regex: … }',
    pattern,
  );
}

interface BertNormalizerOptions {
  readonly cleanText: boolean;
  readonly handleChineseChars: boolean;
  readonly stripAccents: boolean;
  readonly lowercase: boolean;
}

/** The steps in the Rust order: clean, isolate CJK ideographs, strip accents (NFD + drop Mn), lowercase. */
function bertNormalizer(options: BertNormalizerOptions): Normalizer {
  return (text) => {
    let out = text;
    if (options.cleanText) {
      let cleaned = '';
      for (const c of out) {
        if (c === '\0' || c === '\ufffd' || isControl(c)) continue;
        cleaned += isWhitespace(c) ? ' ' : c;
      }
      out = cleaned;
    }
    if (options.handleChineseChars) {
      let spaced = '';
      for (const c of out) spaced += isChineseChar(c) ? ` ${c} ` : c;
      out = spaced;
    }
    if (options.stripAccents) out = stripNonspacingMarks(out.normalize('NFD'));
    if (options.lowercase) out = lowercase(out);
    return out;
  };
}
