import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import type { TiktokenEncodingName } from './tokenizer-options.js';

// Rank files are 0.5–2.3 MB modules; `require` loads only the one asked for, synchronously, so
// `createTokenizer` stays synchronous. No bare `require`: bundlers replace it with a stub in ESM
// output. The CJS build has `__filename`; ESM has `import.meta.url`.
const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

const RANK_MODULES: Record<TiktokenEncodingName, string> = {
  cl100k_base: 'js-tiktoken/ranks/cl100k_base',
  o200k_base: 'js-tiktoken/ranks/o200k_base',
  p50k_base: 'js-tiktoken/ranks/p50k_base',
  r50k_base: 'js-tiktoken/ranks/r50k_base',
  gpt2: 'js-tiktoken/ranks/gpt2',
};

// Building the BPE tables takes ~0.1–0.4 s per encoding and the result is immutable, so it is
// built once per process and shared by every tokenizer of that encoding.
const encoders = new Map<TiktokenEncodingName, Tiktoken>();

/** The `Tiktoken` encoder of an encoding, loading its ranks on first use. */
export function tiktokenEncoder(encoding: TiktokenEncodingName): Tiktoken {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    const loaded = load(RANK_MODULES[encoding]) as TiktokenBPE | { default: TiktokenBPE };
    encoder = new Tiktoken('default' in loaded ? loaded.default : loaded);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

/**
 * BPE token ids as decimal strings. Special-token text such as `<|endoftext|>` in the input is
 * encoded as ordinary text (never as the special id), so user text cannot inject control tokens.
 */
export function createTiktokenTokenize(encoding: TiktokenEncodingName): (text: string) => string[] {
  const encoder = tiktokenEncoder(encoding);
  return (text) => (text.length === 0 ? [] : encoder.encode(text, [], []).map(String));
}
