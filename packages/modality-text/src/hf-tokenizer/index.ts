export { loadHfTokenizer } from './load-hf-tokenizer.js';
export { readHfTokenizer } from './read-hf-tokenizer.js';
export type { HfEncodeOptions, HfEncoding, HfTokenizer } from './types.js';
