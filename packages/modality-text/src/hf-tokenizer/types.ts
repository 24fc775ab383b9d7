/** Options of {@link HfTokenizer.encode}; unset ones fall back to the file's truncation and padding. */
export interface HfEncodeOptions {
  /**
   * Longest encoding, special tokens included. Default the file's `truncation.max_length`, else its
   * fixed padding length.
   */
  readonly maxLength?: number;
  /** Cut to `maxLength` (the file's strategy and direction, else longest-first from the right). Default true when there is a maxLength. */
  readonly truncation?: boolean;
  /** `'max_length'` pads to maxLength; false never pads. Default: the file's padding section. */
  readonly padding?: 'max_length' | false;
  /** Add the post-processor's special tokens ([CLS] … [SEP]). Default true. */
  readonly addSpecialTokens?: boolean;
  /** Second sequence of a pair (token type ids 1 for BERT). */
  readonly pair?: string;
}

/** One encoded text (or pair), one entry per position. */
export interface HfEncoding {
  readonly ids: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: Int32Array;
  /** Segment ids (0 for the first sequence, 1 for the pair's second in BERT). */
  readonly typeIds: Int32Array;
  readonly tokens: string[];
}

/** A Hugging Face `tokenizer.json` loaded for encoding (no decoding: the `decoder` section is not read). */
export interface HfTokenizer {
  /** Where it came from (the file, or the label given for an object); named in errors. */
  readonly source: string;
  /** Largest id + 1 over the model vocab and added tokens: the rows an embedding table needs. */
  readonly vocabSize: number;
  /** The padding id: the file's `padding.pad_id`, else the id of [PAD], <pad> or <|pad|>; null when none. */
  readonly padId: number | null;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  encode(text: string, options?: HfEncodeOptions): HfEncoding;
}
