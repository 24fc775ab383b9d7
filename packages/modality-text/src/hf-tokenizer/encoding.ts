/** An encoding under construction: one entry per token. */
export interface PartialEncoding {
  readonly ids: number[];
  readonly tokens: string[];
  readonly typeIds: number[];
}

export const concatEncodings = (parts: readonly PartialEncoding[]): PartialEncoding => ({
  ids: parts.flatMap((p) => p.ids),
  tokens: parts.flatMap((p) => p.tokens),
  typeIds: parts.flatMap((p) => p.typeIds),
});

export const withTypeId = (encoding: PartialEncoding, typeId: number): PartialEncoding => ({
  ...encoding,
  typeIds: encoding.ids.map(() => typeId),
});
