import { fieldReader, type Json, type TokenizerSource } from './errors.js';
import { readVocab, type TokenModel, unkId } from './model.js';

/**
 * WordPiece as the `tokenizers` library runs it: greedy longest-match-first from the left, later
 * pieces looked up with the continuing-subword prefix (`##`); a word with a piece not in the vocab,
 * or longer than `max_input_chars_per_word` characters, becomes the unknown token as a whole.
 */
export function createWordPiece(spec: Json, source: TokenizerSource, path: string): TokenModel {
  const read = fieldReader(source, spec, path);
  const vocab = readVocab(spec, source, path);
  const unkToken = read.string('unk_token', '[UNK]');
  const unk = unkId(vocab, unkToken, source, path)!;
  const prefix = read.string('continuing_subword_prefix', '##');
  const maxChars = read.int('max_input_chars_per_word', 100);
  const unknown = [{ id: unk, token: unkToken }];
  return {
    vocab,
    tokenize(word) {
      const chars = Array.from(word);
      if (chars.length > maxChars) return unknown;
      const tokens: { id: number; token: string }[] = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found: { id: number; token: string } | undefined;
        while (start < end) {
          const piece = (start > 0 ? prefix : '') + chars.slice(start, end).join('');
          const id = vocab.get(piece);
          if (id !== undefined) {
            found = { id, token: piece };
            break;
          }
          end--;
        }
        if (!found) return unknown;
        tokens.push(found);
        start = end;
      }
      return tokens;
    },
  };
}
