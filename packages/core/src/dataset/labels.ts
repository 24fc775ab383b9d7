/** The labels of one record's multi-label value: an array, or a `|`-separated string. */
export function labelSet(value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split('|');
  return [...new Set(items.map((item) => String(item).trim()).filter((item) => item !== ''))];
}
