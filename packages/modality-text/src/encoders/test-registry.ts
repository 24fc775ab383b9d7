import { textCnnEncoderPlugin } from './cnn.js';
import { textEmbeddingEncoderPlugin } from './embedding.js';
import { textRnnEncoderPlugin } from './rnn.js';
import { textTransformerEncoderPlugin } from './transformer.js';

/** The text encoders, for the training tests. */
export const registry = [
  textEmbeddingEncoderPlugin,
  textCnnEncoderPlugin,
  textRnnEncoderPlugin,
  textTransformerEncoderPlugin,
];
