import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { parseTextOptions } from './text-error.js';

export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;

const PAD = '[PAD]';
const UNK = '[UNK]';
const CLS = '[CLS]';

export const vocabularyOptionsSchema = z
  .object({
    /** Tokens seen fewer times than this across the documents are left out (they map to UNK). */
    minCount: z.number().int().min(1).default(1),
    /** Most entries, specials included. */
    maxSize: z.number().int().default(20_000),
    /** Reserve id 2 for a `[CLS]` token that `encode` puts first. */
    cls: z.boolean().default(false),
  })
  .refine((o) => o.maxSize >= (o.cls ? 3 : 2), {
    message: 'maxSize must leave room for the special tokens (2, or 3 with cls)',
    path: ['maxSize'],
  });

export type VocabularyOptions = z.input<typeof vocabularyOptionsSchema>;

export interface VocabularyJSON {
  tokens: string[];
  specials: { pad: string; unk: string; cls?: string };
}

export interface Vocabulary {
  readonly size: number;
  readonly clsId: number | null;
  /** The token's id, `UNK_ID` when unknown. */
  id(token: string): number;
  /** The token of an id; an id out of range is an `E_INPUT` OmnifuseError. */
  token(id: number): string;
  /**
   * Ids padded with `PAD_ID` / truncated to `maxLength` (`truncate: 'end'`, the default, keeps the
   * start; `'start'` keeps the end); CLS first when the vocabulary has one and `addCls` isn't false.
   * `length` counts the real ids (CLS included), the rest is padding.
   */
  encode(
    tokens: readonly string[],
    maxLength: number,
    options?: { truncate?: 'end' | 'start'; addCls?: boolean },
  ): { ids: Int32Array; length: number };
  toJSON(): VocabularyJSON;
}

/**
 * A vocabulary of the tokens in `documents`: specials first (`[PAD]` 0, `[UNK]` 1, `[CLS]` 2 when
 * `cls`), then by count descending, ties by token in code point order, so the same documents always
 * give the same ids. Tokens spelled like a special are counted but not added twice.
 */
export function fitVocabulary(
  documents: Iterable<readonly string[]>,
  options?: VocabularyOptions,
): Vocabulary {
  const config = parseTextOptions('fitVocabulary', vocabularyOptionsSchema, options ?? {});
  const counts = new Map<string, number>();
  for (const document of documents) {
    for (const token of document) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  const specials = config.cls ? [PAD, UNK, CLS] : [PAD, UNK];
  const ranked = [...counts]
    .filter(([token, count]) => count >= config.minCount && !specials.includes(token))
    .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
    .slice(0, config.maxSize - specials.length)
    .map(([token]) => token);
  return makeVocabulary([...specials, ...ranked], config.cls);
}

/** A vocabulary from `toJSON()` output; anything malformed is an `E_INPUT` OmnifuseError. */
export function vocabularyFromJSON(json: VocabularyJSON): Vocabulary {
  const parsed = vocabularyJSONSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw vocabularyError(`invalid vocabulary JSON: ${issue.message}`, issue.path.join('.'), {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  const { tokens, specials } = parsed.data;
  const expected =
    specials.cls === undefined ? [specials.pad, specials.unk] : [specials.pad, specials.unk, specials.cls];
  expected.forEach((special, id) => {
    if (tokens[id] !== special) {
      throw vocabularyError(`special token ${JSON.stringify(special)} must have id ${id}`, `tokens.${id}`, {
        expected: special,
        found: tokens[id],
      });
    }
  });
  const seen = new Set<string>();
  tokens.forEach((token, id) => {
    if (seen.has(token)) throw vocabularyError(`duplicate token ${JSON.stringify(token)}`, `tokens.${id}`);
    seen.add(token);
  });
  return makeVocabulary(tokens, specials.cls !== undefined);
}

const vocabularyJSONSchema = z.object({
  tokens: z.array(z.string()).min(2),
  specials: z.object({ pad: z.string(), unk: z.string(), cls: z.string().optional() }).strict(),
});

function makeVocabulary(tokens: readonly string[], hasCls: boolean): Vocabulary {
  const ids = new Map(tokens.map((token, id) => [token, id]));
  const clsId = hasCls ? CLS_ID : null;
  return {
    size: tokens.length,
    clsId,
    id: (token) => ids.get(token) ?? UNK_ID,
    token(id) {
      if (!Number.isInteger(id) || id < 0 || id >= tokens.length) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: 'token id out of the vocabulary',
          expected: `an integer in [0, ${tokens.length})`,
          found: id,
        });
      }
      return tokens[id]!;
    },
    encode(input, maxLength, options = {}) {
      if (!Number.isInteger(maxLength) || maxLength < 1) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: 'encode: maxLength must be a positive integer',
          path: 'maxLength',
          expected: 'a positive integer',
          found: maxLength,
        });
      }
      const cls = clsId !== null && options.addCls !== false;
      const room = maxLength - (cls ? 1 : 0);
      const kept =
        input.length <= room
          ? input
          : options.truncate === 'start'
            ? input.slice(input.length - room)
            : input.slice(0, room);
      const out = new Int32Array(maxLength); // zero-filled: PAD_ID
      let at = 0;
      if (cls) out[at++] = CLS_ID;
      for (const token of kept) out[at++] = ids.get(token) ?? UNK_ID;
      return { ids: out, length: at };
    },
    toJSON: () => ({
      tokens: [...tokens],
      specials: hasCls
        ? { pad: tokens[PAD_ID]!, unk: tokens[UNK_ID]!, cls: tokens[CLS_ID]! }
        : { pad: tokens[PAD_ID]!, unk: tokens[UNK_ID]! },
    }),
  };
}

function compareCodePoints(a: string, b: string): number {
  // JS `<` compares UTF-16 units, which misorders astral characters against U+E000–U+FFFF.
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function vocabularyError(
  message: string,
  path: string,
  extra: { expected?: unknown; found?: unknown; details?: Record<string, unknown> } = {},
): OmnifuseError {
  return new OmnifuseError({ code: ErrorCode.InvalidInput, message, path: path || undefined, ...extra });
}
