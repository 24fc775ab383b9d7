import { fieldReader, isObject, malformed, type TokenizerSource } from './errors.js';
import type { Normalizer } from './normalizers.js';
import { RUST_WORD_CLASS } from './unicode.js';

/** One entry of `added_tokens`, with the id it resolves to. */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly singleWord: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;
}

/** A piece of the input: plain text to normalize and tokenize, or an added token's id. */
export type Segment = { readonly text: string; readonly first: boolean; readonly id?: number };

export function readAddedTokens(
  json: unknown,
  vocab: ReadonlyMap<string, number>,
  source: TokenizerSource,
): AddedToken[] {
  if (json === undefined || json === null) return [];
  if (!Array.isArray(json)) malformed(source, 'added_tokens', 'added_tokens is a list', 'a list', json);
  return json.flatMap((entry, i): AddedToken[] => {
    const path = `added_tokens[${i}]`;
    if (!isObject(entry))
      return malformed(source, path, 'an added token is an object', '{ id, content, … }', entry);
    const read = fieldReader(source, entry, path);
    const content = read.string('content');
    if (content === '') return [];
    const special = read.bool('special', false);
    return [
      {
        // A token the model's vocab already has keeps that id, as the tokenizers library does.
        id: vocab.get(content) ?? read.int('id'),
        content,
        singleWord: read.bool('single_word', false),
        lstrip: read.bool('lstrip', false),
        rstrip: read.bool('rstrip', false),
        normalized: read.bool('normalized', !special),
        special,
      },
    ];
  });
}

const ENDS_WITH_WORD = new RegExp(`[${RUST_WORD_CLASS}]$`, 'u');
const STARTS_WITH_WORD = new RegExp(`^[${RUST_WORD_CLASS}]`, 'u');
const TRAILING_SPACE = /\p{White_Space}*$/u;
const LEADING_SPACE = /^\p{White_Space}*/u;

interface Matcher {
  readonly tokens: readonly { readonly pattern: string; readonly token: AddedToken }[];
}

/**
 * Finds added tokens like the Rust `AddedVocabulary`: leftmost-longest matches; a `single_word`
 * token only between non-word characters; `lstrip`/`rstrip` take the whitespace beside it along.
 */
function splitOn(segment: Segment, matcher: Matcher): Segment[] {
  const { text } = segment;
  if (matcher.tokens.length === 0 || text === '') return [segment];
  const out: Segment[] = [];
  let offset = 0;
  let searchFrom = 0;
  while (searchFrom < text.length) {
    const found = leftmostLongest(text, searchFrom, matcher);
    if (!found) break;
    let start = found.start;
    let stop = found.start + found.pattern.length;
    searchFrom = stop;
    const { token } = found;
    if (token.singleWord) {
      const wordBefore = start > 0 && ENDS_WITH_WORD.test(text.slice(0, start));
      const wordAfter = stop < text.length && STARTS_WITH_WORD.test(text.slice(stop));
      if (wordBefore || wordAfter) continue;
    }
    if (token.lstrip) start = Math.max(TRAILING_SPACE.exec(text.slice(0, start))!.index, offset);
    if (token.rstrip) stop += LEADING_SPACE.exec(text.slice(stop))![0].length;
    if (offset < start) out.push({ text: text.slice(offset, start), first: segment.first && offset === 0 });
    out.push({ text: text.slice(start, stop), first: false, id: token.id });
    offset = stop;
  }
  if (offset < text.length) out.push({ text: text.slice(offset), first: segment.first && offset === 0 });
  return out;
}

function leftmostLongest(text: string, from: number, matcher: Matcher) {
  for (let start = from; start < text.length; start++) {
    let best: { start: number; pattern: string; token: AddedToken } | undefined;
    for (const { pattern, token } of matcher.tokens) {
      if (
        pattern !== '' &&
        text.startsWith(pattern, start) &&
        (!best || pattern.length > best.pattern.length)
      )
        best = { start, pattern, token };
    }
    if (best) return best;
  }
  return undefined;
}

/**
 * Splits the raw input on added tokens, normalizing the rest: tokens with `normalized: false`
 * (special tokens, usually) match the raw text; the others match the normalized text, against
 * their own normalized form. Gives plain-text segments (normalized) and added-token segments.
 */
export function createAddedTokenSplitter(
  added: readonly AddedToken[],
  normalizer: Normalizer | null,
): (text: string) => Segment[] {
  const raw: Matcher = {
    tokens: added.filter((t) => !t.normalized).map((token) => ({ pattern: token.content, token })),
  };
  const normalized: Matcher = {
    tokens: added
      .filter((t) => t.normalized)
      .map((token) => ({ pattern: normalizer ? normalizer(token.content) : token.content, token })),
  };
  return (text) =>
    splitOn({ text, first: true }, raw).flatMap((segment) => {
      if (segment.id !== undefined) return [segment];
      const normalizedText = normalizer ? normalizer(segment.text) : segment.text;
      return splitOn({ text: normalizedText, first: segment.first }, normalized);
    });
}
