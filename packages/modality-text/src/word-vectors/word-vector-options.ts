import { z } from 'zod';

/** Text formats of pretrained word vectors: one `word v1 … vd` line per word. */
export const WORD_VECTOR_FORMATS = ['glove', 'word2vec-text'] as const;
export type WordVectorFormat = (typeof WORD_VECTOR_FORMATS)[number];

export const pretrainedVectorsSchema = z
  .object({
    /** The vectors file (relative paths are resolved against the working directory). */
    path: z.string().min(1),
    /**
     * `glove`: no header line (GloVe's `.txt` files); `word2vec-text`: a `count dim` header first
     * (word2vec's `-binary 0` output, fastText's `.vec`).
     */
    format: z.enum(WORD_VECTOR_FORMATS).default('glove'),
    /** Fine-tune the vectors with the rest of the model; frozen by default. */
    trainable: z.boolean().default(false),
    /** Which words are read: only those of the vocabulary fitted on the training split. */
    fit: z.literal('vocabulary').default('vocabulary'),
  })
  .strict();

export type PretrainedVectorsOptions = z.output<typeof pretrainedVectorsSchema>;
export type PretrainedVectorsInput = z.input<typeof pretrainedVectorsSchema>;

/** What the fitted state keeps of the vectors: enough to find and check the file again, not the matrix. */
export interface PretrainedVectorsState {
  readonly path: string;
  readonly format: WordVectorFormat;
  readonly trainable: boolean;
  /** Hex sha256 of the file's bytes: the cache key changes when the file does. */
  readonly sha256: string;
  readonly dim: number;
  /** Vocabulary words (specials excluded) that the file has a vector for. */
  readonly found: number;
  /** Vocabulary words, specials excluded. */
  readonly words: number;
  /** `found / words`. */
  readonly coverage: number;
}
