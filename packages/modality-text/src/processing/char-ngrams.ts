/**
 * Character n-grams exactly as scikit-learn builds them, counted in code points (Python's `str`).
 * `withinWords` is `analyzer='char_wb'`: each whitespace-separated word padded as ` word `, n-grams
 * by increasing n, and a word shorter than n contributes itself once. Otherwise `analyzer='char'`:
 * runs of two or more whitespace characters become one space, then all n-grams by increasing n.
 */
export function createCharNgramTokenize(
  min: number,
  max: number,
  withinWords: boolean,
): (text: string) => string[] {
  return withinWords ? (text) => charWbNgrams(text, min, max) : (text) => charNgrams(text, min, max);
}

function charWbNgrams(text: string, min: number, max: number): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/u)) {
    if (word.length === 0) continue;
    const chars = Array.from(` ${word} `);
    for (let n = min; n <= max; n++) {
      let offset = 0;
      out.push(chars.slice(offset, offset + n).join(''));
      while (offset + n < chars.length) {
        offset += 1;
        out.push(chars.slice(offset, offset + n).join(''));
      }
      // A padded word shorter than n was emitted whole; longer n would repeat it.
      if (offset === 0) break;
    }
  }
  return out;
}

function charNgrams(text: string, min: number, max: number): string[] {
  const chars = Array.from(text.replace(/\s\s+/gu, ' '));
  const out: string[] = [];
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  }
  return out;
}
