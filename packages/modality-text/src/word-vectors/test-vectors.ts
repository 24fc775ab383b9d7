import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A deterministic pseudo-vector for a word, so a test knows what the file holds. */
export function vectorOf(word: string, dim: number): number[] {
  let h = 0;
  for (const c of word) h = (h * 31 + c.codePointAt(0)!) % 9973;
  return Array.from({ length: dim }, (_, i) => Math.round(Math.sin(h + i) * 1e4) / 1e4);
}

/** Writes a GloVe (or, with a header, word2vec text) file of `words` into a fresh temp folder. */
export function writeVectorsFile(
  words: readonly string[],
  dim: number,
  options: { header?: boolean; name?: string; extraLines?: string[] } = {},
): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-vectors-'));
  const file = path.join(dir, options.name ?? 'vectors.txt');
  const lines = words.map((w) => `${w} ${vectorOf(w, dim).join(' ')}`);
  if (options.header) lines.unshift(`${words.length} ${dim}`);
  writeFileSync(file, `${[...lines, ...(options.extraLines ?? [])].join('\n')}\n`);
  return file;
}
