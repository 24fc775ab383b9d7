import { type MetricDirection, rankByValue } from './metric.js';
import type { SearchTrial } from './trial.js';

export interface ResultsTableInput {
  readonly trials: readonly SearchTrial[];
  readonly params: readonly string[];
  readonly metric: string;
  readonly direction: MetricDirection;
  readonly strategy: string;
  readonly best: SearchTrial | null;
}

/** A parameter value as a table shows it: numbers to 4 significant digits, the rest as JSON. */
export function formatParamValue(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The trials as rows, best first: ranked by the metric (failed trials last); with successive
 * halving, the last rung first, since values at different budgets do not compare.
 */
export function rankTrials(trials: readonly SearchTrial[], direction: MetricDirection): SearchTrial[] {
  const byRung = [...new Set(trials.map((t) => t.rung ?? 0))].sort((a, b) => b - a);
  return byRung.flatMap((rung) =>
    rankByValue(
      trials.filter((t) => (t.rung ?? 0) === rung),
      (t) => t.value,
      direction,
    ),
  );
}

/** Just the markdown table, as the CLI prints it. */
export function resultsTable(input: ResultsTableInput): string {
  const halving = input.trials.some((t) => t.rung !== undefined);
  const header = [
    'rank',
    'trial',
    ...(halving ? ['rung'] : []),
    ...input.params.map(escapeCell),
    input.metric,
    'epochs',
    'seconds',
    'status',
  ];
  const align = header.map((_, i) => (i === 1 || i === header.length - 1 ? '---' : '---:'));
  let rank = 0;
  const rows = rankTrials(input.trials, input.direction).map((trial) => [
    trial.status === 'ok' ? String(++rank) : '–',
    trial.id,
    ...(halving ? [String(trial.rung ?? 0)] : []),
    ...input.params.map((param) => escapeCell(formatParamValue(trial.params[param]))),
    trial.value === null ? '–' : trial.value.toFixed(4),
    trial.budget === trial.epochs ? String(trial.epochs) : `${trial.epochs}/${trial.budget}`,
    trial.seconds.toFixed(1),
    trial.status === 'ok' ? 'ok' : escapeCell(`failed: ${trial.error?.message ?? 'unknown error'}`),
  ]);
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** `results.md`: what was searched, the best trial, and the table. */
export function resultsMarkdown(input: ResultsTableInput): string {
  const ok = input.trials.filter((t) => t.status === 'ok').length;
  const better = input.direction === 'max' ? 'higher' : 'lower';
  const best = input.best
    ? `Best: **${input.best.id}**, ${input.metric} ${input.best.value!.toFixed(4)} (${input.params
        .map((param) => `\`${param}\` = ${formatParamValue(input.best!.params[param])}`)
        .join(', ')}); its full config is in \`best-config.json\`.`
    : 'No trial succeeded yet.';
  return [
    '# Hyperparameter search',
    '',
    `Metric \`${input.metric}\` (${better} is better), ${input.strategy} search, ${input.trials.length} trials (${ok} ok, ${input.trials.length - ok} failed).`,
    '',
    best,
    '',
    resultsTable(input),
    '',
  ].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
