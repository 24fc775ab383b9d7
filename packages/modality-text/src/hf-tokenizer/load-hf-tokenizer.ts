import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { createAddedTokenSplitter, readAddedTokens } from './added-tokens.js';
import { buildModel } from './build-model.js';
import { concatEncodings, type PartialEncoding } from './encoding.js';
import { isObject, malformed, type TokenizerSource } from './errors.js';
import { buildNormalizer } from './normalizers.js';
import { buildPostProcessor } from './post-processors.js';
import { buildPreTokenizer } from './pre-tokenizers.js';
import { padEncoding, readPadding, readTruncation, truncateEncodings } from './truncation.js';
import type { HfEncodeOptions, HfEncoding, HfTokenizer } from './types.js';

const PAD_CANDIDATES = ['[PAD]', '<pad>', '<|pad|>'];

/**
 * Loads a Hugging Face `tokenizer.json` (the `tokenizers` library's serialisation, as shipped with
 * pretrained encoders): added tokens, normalizer, pre-tokenizer, model (WordPiece, BPE, WordLevel),
 * post-processor, and the truncation and padding sections as defaults. A component it does not
 * implement is an E_OPTIONS error naming the component and the file, never skipped. `where` names
 * the tokenizer in errors (the file, for {@link readHfTokenizer}).
 */
export function loadHfTokenizer(json: string | object, where = 'tokenizer.json (in memory)'): HfTokenizer {
  const source: TokenizerSource = { file: where };
  let spec: unknown = json;
  if (typeof json === 'string') {
    try {
      spec = JSON.parse(json);
    } catch (error) {
      malformed(source, '', `not JSON: ${(error as Error).message}`, 'a tokenizer.json', json.slice(0, 40));
    }
  }
  if (!isObject(spec) || !isObject(spec.model))
    malformed(source, 'model', 'a tokenizer.json has a model object', '{ model: { type, vocab, … } }', spec);

  const model = buildModel(spec.model, source);
  const normalizer = buildNormalizer(spec.normalizer, source);
  const preTokenizer = buildPreTokenizer(spec.pre_tokenizer, source);
  const postProcessor = buildPostProcessor(spec.post_processor, source);
  const added = readAddedTokens(spec.added_tokens, model.vocab, source);
  const truncationDefaults = readTruncation(spec.truncation, source);
  const paddingDefaults = readPadding(spec.padding, source);
  const split = createAddedTokenSplitter(added, normalizer);

  const addedByContent = new Map(added.map((t) => [t.content, t.id]));
  const byId = new Map<number, string>();
  for (const [token, id] of model.vocab) byId.set(id, token);
  for (const token of added) byId.set(token.id, token.content);
  const tokenToId = (token: string) => addedByContent.get(token) ?? model.vocab.get(token);
  const idToToken = (id: number) => byId.get(id);
  const vocabSize = Math.max(-1, ...byId.keys()) + 1;
  const padId =
    paddingDefaults?.padId ??
    PAD_CANDIDATES.map(tokenToId).find((id): id is number => id !== undefined) ??
    null;
  const padToken = paddingDefaults?.padToken ?? (padId === null ? null : (idToToken(padId) ?? null));

  const encodeSequence = (text: string, typeId: number): PartialEncoding => {
    const parts = split(text).flatMap((segment): PartialEncoding[] => {
      if (segment.id !== undefined) return [{ ids: [segment.id], tokens: [segment.text], typeIds: [typeId] }];
      const pieces = preTokenizer ? preTokenizer([segment]) : segment.text === '' ? [] : [segment];
      return pieces.map((piece) => {
        const tokens = model.tokenize(piece.text);
        return {
          ids: tokens.map((t) => t.id),
          tokens: tokens.map((t) => t.token),
          typeIds: tokens.map(() => typeId),
        };
      });
    });
    return concatEncodings(parts);
  };

  const encode = (text: string, options: HfEncodeOptions = {}): HfEncoding => {
    for (const [name, value] of [
      ['text', text],
      ['pair', options.pair],
    ] as const) {
      if (value !== undefined && typeof value !== 'string')
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `${name} must be a string`,
          file: where,
          expected: 'a string',
          found: typeof value,
        });
    }
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const maxLength =
      options.maxLength ?? truncationDefaults?.maxLength ?? paddingDefaults?.length ?? undefined;
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
      throw invalidOption('maxLength', 'maxLength must be an integer > 0', 'an integer > 0', maxLength);
    const isPair = options.pair !== undefined;
    let a = encodeSequence(text, 0);
    let b = isPair ? encodeSequence(options.pair!, 1) : null;

    if ((options.truncation ?? true) && maxLength !== undefined) {
      const room = maxLength - (addSpecialTokens ? postProcessor.addedTokens(isPair) : 0);
      if (room < 0)
        throw invalidOption(
          'maxLength',
          'maxLength leaves no room for the special tokens',
          `≥ ${maxLength - room}`,
          maxLength,
        );
      [a, b] = truncateEncodings(
        a,
        b,
        room,
        truncationDefaults?.strategy ?? 'LongestFirst',
        truncationDefaults?.direction ?? 'Right',
      );
    }
    const processed = postProcessor.process(a, b, addSpecialTokens);

    let padTo: number | null = null;
    if (options.padding === 'max_length') {
      if (maxLength === undefined)
        throw invalidOption('maxLength', "padding 'max_length' needs a maxLength", 'a maxLength', undefined);
      padTo = maxLength;
    } else if (options.padding === undefined && paddingDefaults) {
      const base = paddingDefaults.length ?? processed.ids.length;
      const multiple = paddingDefaults.multipleOf;
      padTo = multiple && base % multiple > 0 ? base + multiple - (base % multiple) : base;
    }
    if (padTo !== null && processed.ids.length < padTo && padId === null)
      throw invalidOption(
        'padding',
        'the tokenizer has no pad token ([PAD], <pad> or padding.pad_id)',
        'a pad token',
        null,
      );
    const padded = padEncoding(processed, padTo ?? 0, {
      id: padId ?? 0,
      token: padToken ?? '',
      typeId: paddingDefaults?.padTypeId ?? 0,
      direction: paddingDefaults?.direction ?? 'Right',
    });
    return {
      ids: Int32Array.from(padded.ids),
      attentionMask: Int32Array.from(padded.attentionMask),
      typeIds: Int32Array.from(padded.typeIds),
      tokens: padded.tokens,
    };
  };

  const invalidOption = (path: string, message: string, expected: unknown, found: unknown) =>
    new OmnifuseError({ code: ErrorCode.InvalidOptions, message, file: where, path, expected, found });

  return { source: where, vocabSize, padId, tokenToId, idToToken, encode };
}
