import { GPT2_SPLIT_REGEX, toByteLevel } from './byte-level.js';
import {
  componentType,
  fieldReader,
  type Json,
  malformed,
  type TokenizerSource,
  unsupported,
} from './errors.js';
import { patternRegex } from './normalizers.js';
import {
  charMatches,
  invertSpans,
  regexMatches,
  SPLIT_BEHAVIORS,
  type SplitBehavior,
  splitSpans,
} from './split.js';
import { isBertPunctuation, isNumeric, isWhitespace, RUST_WORD_CLASS } from './unicode.js';

/** A piece of normalized text; `first` when it starts the input (Metaspace's `prepend_scheme: first`). */
export interface Piece {
  readonly text: string;
  readonly first: boolean;
}

export type PreTokenizer = (pieces: readonly Piece[]) => Piece[];

/** Splits every piece with `cut`; only the first sub-piece of a first piece stays first. */
const eachPiece =
  (cut: (piece: Piece) => string[]): PreTokenizer =>
  (pieces) =>
    pieces.flatMap((piece) =>
      cut(piece)
        .filter((text) => text !== '')
        .map((text, i) => ({ text, first: piece.first && i === 0 })),
    );

const WHITESPACE_REGEX = new RegExp(`[${RUST_WORD_CLASS}]+|[^${RUST_WORD_CLASS}\\p{White_Space}]+`, 'gu');

/** Builds the `pre_tokenizer` section; null when there is none. */
export function buildPreTokenizer(
  json: unknown,
  source: TokenizerSource,
  path = 'pre_tokenizer',
): PreTokenizer | null {
  if (json === null || json === undefined) return null;
  const type = componentType(source, json, path);
  const spec = json as Json;
  const read = fieldReader(source, spec, path);
  const behavior = (key: string, fallback: SplitBehavior): SplitBehavior => {
    const value = read.string(key, fallback);
    if (!SPLIT_BEHAVIORS.includes(value as SplitBehavior))
      unsupported(source, `${path}.${key}`, `the split behavior "${value}"`, value);
    return value as SplitBehavior;
  };
  switch (type) {
    case 'BertPreTokenizer':
      return (pieces) =>
        eachPiece(({ text }) => splitSpans(text, charMatches(text, isBertPunctuation), 'Isolated'))(
          eachPiece(({ text }) => splitSpans(text, charMatches(text, isWhitespace), 'Removed'))(pieces),
        );
    case 'Whitespace':
      return eachPiece(({ text }) =>
        splitSpans(text, invertSpans(regexMatches(text, WHITESPACE_REGEX)), 'Removed'),
      );
    case 'WhitespaceSplit':
      return eachPiece(({ text }) => splitSpans(text, charMatches(text, isWhitespace), 'Removed'));
    case 'Punctuation': {
      const how = behavior('behavior', 'Isolated');
      return eachPiece(({ text }) => splitSpans(text, charMatches(text, isBertPunctuation), how));
    }
    case 'Digits': {
      const how: SplitBehavior = read.bool('individual_digits', false) ? 'Isolated' : 'Contiguous';
      return eachPiece(({ text }) => splitSpans(text, charMatches(text, isNumeric), how));
    }
    case 'CharDelimiterSplit': {
      const delimiter = read.string('delimiter');
      return eachPiece(({ text }) =>
        splitSpans(
          text,
          charMatches(text, (c) => c === delimiter),
          'Removed',
        ),
      );
    }
    case 'Split': {
      const regex = patternRegex(spec.pattern, source, `${path}.pattern`);
      const how = behavior('behavior', 'Isolated');
      const invert = read.bool('invert', false);
      return eachPiece(({ text }) => {
        const spans = regexMatches(text, regex);
        return splitSpans(text, invert ? invertSpans(spans) : spans, how);
      });
    }
    case 'ByteLevel':
      return byteLevel(read.bool('add_prefix_space', true), read.bool('use_regex', true));
    case 'Metaspace':
      return metaspace(spec, source, path);
    case 'Sequence': {
      const steps = read
        .list('pretokenizers')
        .map((step, i) => buildPreTokenizer(step, source, `${path}.pretokenizers[${i}]`))
        .filter((step): step is PreTokenizer => step !== null);
      return (pieces) => steps.reduce((out, step) => step(out), [...pieces]);
    }
    default:
      return unsupported(source, `${path}.type`, `the pre-tokenizer "${type}"`, type);
  }
}

/** Prefix space (on a non-empty piece), GPT-2 regex split, then bytes as GPT-2 characters. */
function byteLevel(addPrefixSpace: boolean, useRegex: boolean): PreTokenizer {
  return eachPiece(({ text }) => {
    const spaced = addPrefixSpace && text !== '' && !text.startsWith(' ') ? ` ${text}` : text;
    const parts = useRegex
      ? splitSpans(spaced, regexMatches(spaced, GPT2_SPLIT_REGEX), 'Isolated')
      : [spaced];
    return parts.map(toByteLevel);
  });
}

function metaspace(spec: Json, source: TokenizerSource, path: string): PreTokenizer {
  const read = fieldReader(source, spec, path);
  const replacement = read.string('replacement', '▁');
  if ([...replacement].length !== 1)
    malformed(
      source,
      `${path}.replacement`,
      'the replacement is one character',
      'one character',
      replacement,
    );
  // Older files say add_prefix_space; newer ones prepend_scheme.
  const legacy = read.optionalBool('add_prefix_space');
  const scheme = read.string('prepend_scheme', legacy === false ? 'never' : 'always');
  if (!['always', 'first', 'never'].includes(scheme))
    unsupported(source, `${path}.prepend_scheme`, `the prepend_scheme "${scheme}"`, scheme);
  const split = read.bool('split', true);
  return eachPiece(({ text, first }) => {
    let out = text.replaceAll(' ', replacement);
    const prepend = scheme === 'always' || (scheme === 'first' && first);
    if (prepend && out !== '' && !out.startsWith(replacement)) out = replacement + out;
    return split
      ? splitSpans(
          out,
          charMatches(out, (c) => c === replacement),
          'MergedWithNext',
        )
      : [out];
  });
}
