/** How a split treats the delimiters it finds (the `tokenizers` SplitDelimiterBehavior). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

export const SPLIT_BEHAVIORS: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/** A span of the text (UTF-16 indices) and whether it is a delimiter match. */
type Span = [start: number, end: number, isMatch: boolean];

/** Spans covering the text: every character the predicate accepts is a match of its own. */
export function charMatches(text: string, predicate: (c: string) => boolean): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let at = 0;
  for (const c of text) {
    if (predicate(c)) {
      if (start < at) spans.push([start, at, false]);
      spans.push([at, at + c.length, true]);
      start = at + c.length;
    }
    at += c.length;
  }
  if (start < text.length) spans.push([start, text.length, false]);
  return spans;
}

/** Spans covering the text: every match of a global regex is a match (empty matches are skipped). */
export function regexMatches(text: string, regex: RegExp): Span[] {
  const spans: Span[] = [];
  let previous = 0;
  for (const match of text.matchAll(regex)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start === end) continue;
    if (previous < start) spans.push([previous, start, false]);
    spans.push([start, end, true]);
    previous = end;
  }
  if (previous < text.length) spans.push([previous, text.length, false]);
  return spans;
}

export const invertSpans = (spans: Span[]): Span[] => spans.map(([s, e, m]) => [s, e, !m]);

/**
 * Cuts the text at the spans as the Rust `NormalizedString::split` does for each behavior; empty
 * pieces are dropped.
 */
export function splitSpans(text: string, spans: Span[], behavior: SplitBehavior): string[] {
  let kept: [number, number][];
  switch (behavior) {
    case 'Removed':
      kept = spans.filter(([, , m]) => !m).map(([s, e]) => [s, e]);
      break;
    case 'Isolated':
      kept = spans.map(([s, e]) => [s, e]);
      break;
    case 'Contiguous':
      kept = mergeRuns(spans, (isMatch, previous) => isMatch === previous);
      break;
    case 'MergedWithPrevious':
      kept = mergeRuns(spans, (isMatch, previous) => isMatch && !previous);
      break;
    case 'MergedWithNext': {
      // The Rust code folds from the right, extending the later piece's start.
      const reversed = [...spans].reverse();
      const out: [number, number][] = [];
      let previous = false;
      for (const [s, e, m] of reversed) {
        const last = out[out.length - 1];
        if (m && !previous && last) last[0] = s;
        else out.push([s, e]);
        previous = m;
      }
      kept = out.reverse();
      break;
    }
  }
  return kept.filter(([s, e]) => e > s).map(([s, e]) => text.slice(s, e));
}

/** Folds left: a span joins the previous piece when `join(isMatch, previousIsMatch)`. */
function mergeRuns(
  spans: Span[],
  join: (isMatch: boolean, previous: boolean) => boolean,
): [number, number][] {
  const out: [number, number][] = [];
  let previous = false;
  for (const [s, e, m] of spans) {
    const last = out[out.length - 1];
    if (join(m, previous) && last) last[1] = e;
    else out.push([s, e]);
    previous = m;
  }
  return out;
}
