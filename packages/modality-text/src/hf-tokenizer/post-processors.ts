import { concatEncodings, type PartialEncoding, withTypeId } from './encoding.js';
import {
  componentType,
  fieldReader,
  isObject,
  type Json,
  malformed,
  type TokenizerSource,
  unsupported,
} from './errors.js';

/** Adds the special tokens around one sequence or a pair (the `post_processor` section). */
export interface PostProcessor {
  /** How many tokens `process` adds with special tokens on: truncation leaves room for them. */
  addedTokens(isPair: boolean): number;
  process(a: PartialEncoding, b: PartialEncoding | null, addSpecialTokens: boolean): PartialEncoding;
}

/** Without a post-processor the sequences are concatenated (type ids 0 and 1 from encoding). */
export const DEFAULT_POST_PROCESSOR: PostProcessor = {
  addedTokens: () => 0,
  process: (a, b) => concatEncodings(b ? [a, b] : [a]),
};

const special = (id: number, token: string, typeId: number): PartialEncoding => ({
  ids: [id],
  tokens: [token],
  typeIds: [typeId],
});

export function buildPostProcessor(
  json: unknown,
  source: TokenizerSource,
  path = 'post_processor',
): PostProcessor {
  if (json === null || json === undefined) return DEFAULT_POST_PROCESSOR;
  const type = componentType(source, json, path);
  const spec = json as Json;
  const read = fieldReader(source, spec, path);
  switch (type) {
    case 'BertProcessing': {
      const [sep, sepId] = tokenPair(spec.sep, source, `${path}.sep`);
      const [cls, clsId] = tokenPair(spec.cls, source, `${path}.cls`);
      return {
        addedTokens: (isPair) => (isPair ? 3 : 2),
        process(a, b, addSpecialTokens) {
          if (!addSpecialTokens) return DEFAULT_POST_PROCESSOR.process(a, b, false);
          const first = [special(clsId, cls, 0), a, special(sepId, sep, 0)];
          return concatEncodings(b ? [...first, b, special(sepId, sep, 1)] : first);
        },
      };
    }
    case 'RobertaProcessing': {
      const [sep, sepId] = tokenPair(spec.sep, source, `${path}.sep`);
      const [cls, clsId] = tokenPair(spec.cls, source, `${path}.cls`);
      return {
        addedTokens: (isPair) => (isPair ? 4 : 2),
        process(a0, b0, addSpecialTokens) {
          // RoBERTa gives every token type id 0, the pair's too.
          const a = withTypeId(a0, 0);
          const b = b0 && withTypeId(b0, 0);
          if (!addSpecialTokens) return concatEncodings(b ? [a, b] : [a]);
          const first = [special(clsId, cls, 0), a, special(sepId, sep, 0)];
          return concatEncodings(b ? [...first, special(sepId, sep, 0), b, special(sepId, sep, 0)] : first);
        },
      };
    }
    case 'TemplateProcessing':
      return templateProcessing(spec, source, path);
    case 'ByteLevel':
      // Only adjusts offsets, which encode does not return.
      return DEFAULT_POST_PROCESSOR;
    case 'Sequence': {
      const steps = read
        .list('processors')
        .map((step, i) => buildPostProcessor(step, source, `${path}.processors[${i}]`))
        .filter((step) => step !== DEFAULT_POST_PROCESSOR);
      if (steps.length > 1)
        unsupported(source, path, 'a Sequence with more than one processor that adds tokens', type);
      return steps[0] ?? DEFAULT_POST_PROCESSOR;
    }
    default:
      return unsupported(source, `${path}.type`, `the post-processor "${type}"`, type);
  }
}

function tokenPair(value: unknown, source: TokenizerSource, path: string): [string, number] {
  if (Array.isArray(value) && typeof value[0] === 'string' && Number.isInteger(value[1]))
    return [value[0], value[1]];
  return malformed(source, path, 'a special token is ["token", id]', '["[SEP]", 102]', value);
}

type TemplatePiece =
  | { kind: 'sequence'; which: 'A' | 'B'; typeId: number }
  | { kind: 'special'; name: string; typeId: number };

function templateProcessing(spec: Json, source: TokenizerSource, path: string): PostProcessor {
  const read = fieldReader(source, spec, path);
  const specials = new Map<string, { ids: number[]; tokens: string[] }>();
  for (const [name, entry] of Object.entries(read.object('special_tokens'))) {
    const at = `${path}.special_tokens.${name}`;
    if (
      !isObject(entry) ||
      !Array.isArray(entry.ids) ||
      !Array.isArray(entry.tokens) ||
      entry.ids.length !== entry.tokens.length
    )
      malformed(
        source,
        at,
        'a special token is { id, ids, tokens } with as many ids as tokens',
        '{ id, ids, tokens }',
        entry,
      );
    specials.set(name, { ids: entry.ids as number[], tokens: entry.tokens as string[] });
  }
  const template = (key: 'single' | 'pair'): TemplatePiece[] =>
    read.list(key).map((piece, i) => {
      const at = `${path}.${key}[${i}]`;
      if (isObject(piece) && isObject(piece.Sequence)) {
        const which = piece.Sequence.id;
        if (which !== 'A' && which !== 'B') malformed(source, at, 'a sequence is A or B', '"A" | "B"', which);
        return { kind: 'sequence', which, typeId: typeIdOf(piece.Sequence, source, at) };
      }
      if (isObject(piece) && isObject(piece.SpecialToken)) {
        const name = piece.SpecialToken.id;
        if (typeof name !== 'string' || !specials.has(name))
          malformed(
            source,
            at,
            'the template names a special token not in special_tokens',
            [...specials.keys()],
            name,
          );
        return { kind: 'special', name, typeId: typeIdOf(piece.SpecialToken, source, at) };
      }
      return malformed(
        source,
        at,
        'a template piece is { Sequence } or { SpecialToken }',
        '{ Sequence } | { SpecialToken }',
        piece,
      );
    });
  const single = template('single');
  const pair = template('pair');
  const count = (pieces: TemplatePiece[]) =>
    pieces.reduce((n, p) => n + (p.kind === 'special' ? specials.get(p.name)!.ids.length : 0), 0);
  return {
    addedTokens: (isPair) => count(isPair ? pair : single),
    process(a, b, addSpecialTokens) {
      const parts = (b ? pair : single).flatMap((piece): PartialEncoding[] => {
        if (piece.kind === 'sequence') {
          const encoding = piece.which === 'A' ? a : b;
          return encoding ? [withTypeId(encoding, piece.typeId)] : [];
        }
        if (!addSpecialTokens) return [];
        const { ids, tokens } = specials.get(piece.name)!;
        return [{ ids: [...ids], tokens: [...tokens], typeIds: ids.map(() => piece.typeId) }];
      });
      return concatEncodings(parts);
    },
  };
}

function typeIdOf(piece: Json, source: TokenizerSource, path: string): number {
  return fieldReader(source, piece, path).int('type_id', 0);
}
