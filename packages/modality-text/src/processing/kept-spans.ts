/** A piece of text: either a kept token (emitted verbatim) or text to tokenise. */
export interface TextPiece {
  text: string;
  kept: boolean;
}

/**
 * Returns a function splitting text around the kept tokens (longest first, so `<num>` never shadows
 * `<number>`). Without kept tokens it returns the text as one piece.
 */
export function keptSplitter(keep: readonly string[] | undefined): (text: string) => TextPiece[] {
  const tokens = [...new Set(keep ?? [])].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
  if (tokens.length === 0) return (text) => [{ text, kept: false }];
  const pattern = new RegExp(tokens.map(escapeRegExp).join('|'), 'gu');
  return (text) => {
    const pieces: TextPiece[] = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const at = match.index ?? 0;
      if (at > last) pieces.push({ text: text.slice(last, at), kept: false });
      pieces.push({ text: match[0], kept: true });
      last = at + match[0].length;
    }
    if (last < text.length) pieces.push({ text: text.slice(last), kept: false });
    return pieces;
  };
}

/** Runs `tokenize` on the text between kept tokens and emits kept tokens as they are. */
export function withKeptTokens(
  keep: readonly string[] | undefined,
  tokenize: (text: string) => string[],
): (text: string) => string[] {
  if (!keep || keep.length === 0) return tokenize;
  const split = keptSplitter(keep);
  return (text) => {
    const out: string[] = [];
    for (const piece of split(text)) {
      if (piece.kept) out.push(piece.text);
      else for (const token of tokenize(piece.text)) out.push(token);
    }
    return out;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
