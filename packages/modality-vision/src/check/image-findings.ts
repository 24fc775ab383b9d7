/** The stable codes of the findings a vision encoder's `check` returns. */
export const ImageFindingCode = {
  /** Not an image (audio, text, unknown bytes), an empty file, or a file that cannot be read. */
  Unreadable: 'image-unreadable',
  /** The file ends early: no PNG IEND, no JPEG end-of-image, a box or chunk cut off. */
  Truncated: 'image-truncated',
  /** A PNG chunk fails its CRC-32, a header declares nonsense. */
  Corrupt: 'image-corrupt',
  /** A format the preprocessor refuses: BMP, SVG. */
  UnsupportedFormat: 'image-unsupported-format',
  /** Width × height over the encoder's `preprocess.maxPixels`. */
  TooLarge: 'image-too-large',
  /** Decoded pixels given in code with bad dimensions, channels, length or values. */
  InvalidPixels: 'image-invalid-pixels',
  /** Warning: the file's extension (or inline media type) names another image format than its bytes. */
  ExtensionMismatch: 'image-extension-mismatch',
} as const;
export type ImageFindingCode = (typeof ImageFindingCode)[keyof typeof ImageFindingCode];
