import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';
import { duplicateGroups, duplicatesOptionsSchema } from './duplicates.js';
import { checkMediaOptionsSchema, checkMediaWithIds, type MediaDecoder } from './media.js';
import { applyMissingWithIds, fitMissingWithIds, type MissingOptions, type MissingState } from './missing.js';
import { nearDuplicateOptionsSchema, nearDuplicates } from './near-duplicates.js';
import {
  type DataRecord,
  PLUGIN,
  parseOptions,
  type RecordId,
  type RecordNote,
  recordIds,
  showValue,
} from './records.js';

/** One step of a cleaning plan; steps run in order, each on what the previous one kept. */
export type CleaningStep =
  | { step: 'duplicates'; fields?: string[]; mediaFields?: string[] }
  | {
      step: 'near-duplicate-text';
      field: string;
      threshold?: number;
      shingle?: number;
      numHashes?: number;
      seed?: number;
    }
  | ({ step: 'missing' } & MissingOptions)
  /** Applies statistics fitted elsewhere (e.g. `fitMissing` on the training split). */
  | { step: 'missing'; state: MissingState }
  | { step: 'media'; fields: string[]; decode: MediaDecoder; concurrency?: number };

export interface CleaningOptions {
  /** Data root for media fields (`duplicates` with `mediaFields`, and `media`). */
  readonly root?: string;
  /** Column of record ids (default `id`; positions when it is absent or not unique). */
  readonly idField?: string;
}

export interface CleaningStepReport {
  readonly step: CleaningStep['step'];
  /** What the step did, in a line. */
  readonly summary: string;
  readonly input: number;
  readonly output: number;
  /** Every removed record with its reason. */
  readonly removed: RecordNote[];
  readonly changed: RecordNote[];
}

export interface CleaningReport {
  readonly input: number;
  readonly output: number;
  readonly steps: CleaningStepReport[];
}

const stepSchema = z
  .object({ step: z.enum(['duplicates', 'near-duplicate-text', 'missing', 'media']) })
  .loose();

/**
 * Runs a cleaning plan in order and reports, per step, every removed record (id and reason) and
 * every changed one. Record ids are fixed on the input, so positions stay meaningful after removals.
 */
export async function cleanRecords(
  records: readonly DataRecord[],
  plan: readonly CleaningStep[],
  options: CleaningOptions = {},
): Promise<{ records: DataRecord[]; report: CleaningReport }> {
  const idField = options.idField ?? 'id';
  let current = [...records];
  let ids: RecordId[] = recordIds(records, idField);
  const steps: CleaningStepReport[] = [];
  for (const [position, raw] of plan.entries()) {
    const { step, ...rest } = parseOptions(`clean[${position}]`, stepSchema, raw) as CleaningStep;
    const input = current.length;
    let removed: RecordNote[] = [];
    let changed: RecordNote[] = [];
    const drop = new Set<number>();
    let summary: string;
    if (step === 'duplicates') {
      const parsed = parseOptions(step, duplicatesOptionsSchema, { ...rest, root: options.root, idField });
      const groups = await duplicateGroups(current, parsed, ids);
      for (const group of groups) {
        for (const index of group.indices.slice(1)) {
          drop.add(index);
          removed.push({ id: ids[index]!, reason: `exact duplicate of ${showValue(group.ids[0])}` });
        }
      }
      summary = `${groups.length} group(s) of exact duplicates`;
    } else if (step === 'near-duplicate-text') {
      const { field, ...near } = rest as { field: string };
      const parsed = parseOptions(step, nearDuplicateOptionsSchema, { ...near, idField });
      const result = nearDuplicates(current, field, parsed, ids);
      for (const d of result.duplicates) {
        drop.add(d.index);
        removed.push({
          id: d.id,
          reason: `near-duplicate of ${showValue(d.ofId)} (Jaccard ${d.similarity.toFixed(3)} on ${field})`,
        });
      }
      summary = `${result.pairs.length} similar pair(s) on ${field} at Jaccard ≥ ${parsed.threshold}; ${result.skipped} without text`;
    } else if (step === 'missing') {
      const state =
        'state' in rest
          ? (rest.state as MissingState)
          : fitMissingWithIds(current, rest as MissingOptions, ids);
      const outcome = applyMissingWithIds(current, state, ids);
      removed = outcome.removed;
      changed = outcome.changed;
      summary = `${state.strategy} on ${state.fields.join(', ')}`;
      if (state.strategy === 'drop-record') {
        const kept = new Set(outcome.records);
        current.forEach((record, index) => {
          if (!kept.has(record)) drop.add(index);
        });
      } else {
        current = outcome.records;
      }
    } else {
      if (options.root === undefined) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: "the 'media' step needs a data root (`root` in cleanRecords' options)",
          plugin: PLUGIN,
          step,
        });
      }
      const parsed = parseOptions(step, checkMediaOptionsSchema, { ...rest, root: options.root, idField });
      const check = await checkMediaWithIds(current, parsed, ids);
      for (const failure of check.failures) {
        drop.add(failure.index);
        removed.push({ id: failure.id, reason: `${failure.field} (${failure.value}): ${failure.message}` });
      }
      summary = `${check.checked} media value(s) decoded, ${check.failures.length} failed, ${check.missing} missing`;
    }
    if (drop.size > 0) {
      current = current.filter((_, index) => !drop.has(index));
      ids = ids.filter((_, index) => !drop.has(index));
    }
    steps.push({ step, summary, input, output: current.length, removed, changed });
  }
  return { records: current, report: { input: records.length, output: current.length, steps } };
}

/** The report as markdown: a table of steps, then each step's removed and changed records. */
export function renderCleaningReport(report: CleaningReport): string {
  const lines = [
    '# Cleaning report',
    '',
    `${report.input} record(s) in, ${report.output} out, ${report.input - report.output} removed.`,
    '',
    '| # | step | in | removed | changed | out | summary |',
    '|---|---|---|---|---|---|---|',
    ...report.steps.map(
      (s, i) =>
        `| ${i + 1} | ${s.step} | ${s.input} | ${s.removed.length} | ${s.changed.length} | ${s.output} | ${escapeCell(s.summary)} |`,
    ),
  ];
  report.steps.forEach((s, i) => {
    for (const [title, notes] of [
      ['removed', s.removed],
      ['changed', s.changed],
    ] as const) {
      if (notes.length === 0) continue;
      lines.push('', `## ${i + 1}. ${s.step}: ${title}`, '');
      for (const note of notes) lines.push(`- \`${showValue(note.id)}\`: ${note.reason}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
