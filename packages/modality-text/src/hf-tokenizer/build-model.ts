import { createBpe } from './bpe.js';
import {
  componentType,
  fieldReader,
  isObject,
  type Json,
  malformed,
  type TokenizerSource,
  unsupported,
} from './errors.js';
import { readVocab, type TokenModel, unkId } from './model.js';
import { createWordPiece } from './wordpiece.js';

/** Dispatches on the model type; other types are refused. */
export function buildModel(json: unknown, source: TokenizerSource): TokenModel {
  const path = 'model';
  // Some exports leave out the type of a BPE model; the tokenizers library infers it from merges.
  const typed =
    isObject(json) && json.type === undefined && 'merges' in json ? { ...json, type: 'BPE' } : json;
  const type = componentType(source, typed, path);
  const spec = typed as Json;
  switch (type) {
    case 'WordPiece':
      return createWordPiece(spec, source, path);
    case 'BPE':
      return createBpe(spec, source, path);
    case 'WordLevel': {
      const vocab = readVocab(spec, source, path);
      const read = fieldReader(source, spec, path);
      const unk = unkId(vocab, read.optionalString('unk_token'), source, path);
      const unkToken = read.optionalString('unk_token');
      return {
        vocab,
        tokenize(word) {
          const id = vocab.get(word);
          if (id !== undefined) return [{ id, token: word }];
          if (unk === null)
            malformed(
              source,
              `${path}.unk_token`,
              'a word is not in the vocab and there is no unk_token',
              'an unk_token',
              null,
            );
          return [{ id: unk, token: unkToken! }];
        },
      };
    }
    default:
      return unsupported(source, `${path}.type`, `the model "${type}"`, type);
  }
}
