/** Which placeholder replaces what; `false` (the default) leaves that kind of span as text. */
export interface PlaceholderConfig {
  url: string | false;
  email: string | false;
  number: string | false;
}

// Emails first, so a URL rule never eats the domain of an address.
const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// Only spans with a scheme or `www.`: bare `example.com` is too easily a sentence's end.
const URL_PATTERN = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"]+/giu;
const URL_TRAILING = /[.,;:!?'")\]}]+$/u;
// Decimal digits with internal separators (3.14, 1,000,000); digits glued to letters stay words.
const NUMBER_PATTERN = /(?<![\p{L}\p{N}])\p{Nd}+(?:[.,]\p{Nd}+)*(?![\p{L}\p{N}])/gu;

/** Replaces emails, URLs and numbers by their placeholders, in that order. */
export function replacePlaceholders(text: string, placeholders: PlaceholderConfig): string {
  let out = text;
  const { email, number } = placeholders;
  // Replacer functions, so a `$` in a placeholder is not read as a replacement pattern.
  if (email !== false) out = out.replace(EMAIL_PATTERN, () => email);
  if (placeholders.url !== false) {
    const token = placeholders.url;
    // Trailing sentence punctuation is not part of the URL; keep it as text.
    out = out.replace(URL_PATTERN, (url) => {
      const trailing = URL_TRAILING.exec(url)?.[0] ?? '';
      return token + trailing;
    });
  }
  if (number !== false) out = out.replace(NUMBER_PATTERN, () => number);
  return out;
}

/** The placeholder tokens a configuration inserts, for tokenizers to keep whole. */
export function placeholderTokens(placeholders: Partial<PlaceholderConfig> | undefined): string[] {
  if (!placeholders) return [];
  const tokens = [placeholders.url, placeholders.email, placeholders.number].filter(
    (token): token is string => typeof token === 'string',
  );
  return [...new Set(tokens)];
}
