import { readFile } from 'node:fs/promises';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import type { SearchTrial } from './trial.js';

/** The files a search keeps in its folder. */
export const SEARCH_FILES = {
  trials: 'search.jsonl',
  table: 'results.md',
  chart: 'results.svg',
  bestConfig: 'best-config.json',
} as const;

/** The trials of an earlier run in `file`, by id; none when the file does not exist. */
export async function readTrials(file: string): Promise<Map<string, SearchTrial>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const trials = new Map<string, SearchTrial>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let trial: SearchTrial;
    try {
      trial = JSON.parse(line) as SearchTrial;
    } catch (error) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `line ${i + 1} is not JSON: ${(error as Error).message}`,
        file,
        cause: error,
      });
    }
    if (typeof trial.id === 'string' && typeof trial.specHash === 'string') trials.set(trial.id, trial);
  });
  return trials;
}

export function trialsJsonl(trials: readonly SearchTrial[]): string {
  return trials.map((trial) => `${JSON.stringify(trial)}\n`).join('');
}
