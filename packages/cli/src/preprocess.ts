import path from 'node:path';
import {
  createFeatureCache,
  type Dataset,
  type EncoderV1,
  encoderFingerprint,
  invalidDataError,
  withPreprocessFailures,
} from '@omnifuse/core';
import {
  checkedSplit,
  createPreprocessPool,
  fitEncoders,
  pluginModules,
  resolveRegistry,
} from '@omnifuse/trainer';
import { jobsOption, type ParsedArgs, positional, stringOption } from './args.js';
import { loadConfig } from './config.js';
import { loadConfigData } from './data.js';
import { onInvalidOption, printCheck } from './invalid-records.js';
import { type CliIo, line } from './io.js';
import { createStepProgress } from './progress.js';
import { rowsOfShard, shardOption } from './shard.js';

const SPLITS = ['train', 'validation', 'test'] as const;

/**
 * Fits the encoders on the training split and preprocesses every split through the feature cache,
 * exactly as `train()` does (same fitted state, same cache keys), so training reads cached features.
 * With `--shard i/N` every process still fits on the whole training split (the fit is deterministic,
 * so every shard computes the same keys) and preprocesses only the records of shard i.
 */
export async function runPreprocess(args: ParsedArgs, io: CliIo): Promise<number> {
  const shard = shardOption(args);
  const config = await loadConfig(positional(args, 'config'), io.cwd);
  const { spec } = config;
  const registry = await resolveRegistry({ baseDir: config.dir, registry: [...config.plugins] });
  const dataset = await loadConfigData(spec, config.file);
  const onInvalid = onInvalidOption(args, spec.onInvalid);
  const checked = await checkedSplit(dataset, spec, {
    registry,
    onInvalid,
    onCheck: (report) => printCheck(io, report, onInvalid),
  });
  const { split } = checked;
  let dataCheck = checked.dataCheck;
  const rowOfId = new Map(dataset.ids.map((id, row) => [id, row]));
  const option = stringOption(args, 'cache');
  const cacheDir = option ? path.resolve(io.cwd, option) : path.join(dataset.root, '.omnifuse-cache');
  const cache = createFeatureCache({ dir: cacheDir });
  line(
    io.stderr,
    `fitting ${spec.inputs.length} encoder(s) on ${split.train.length} training records; cache ${cacheDir}`,
  );
  const encoders = await fitEncoders(spec, registry, split.datasets.train);
  // Only the feature computation is sharded: the check, the split and the fit above saw every record.
  const parts = Object.fromEntries(
    SPLITS.map((name) => {
      const part = split.datasets[name];
      return [name, shard ? part.subset(rowsOfShard(part.ids, shard)) : part];
    }),
  ) as Record<(typeof SPLITS)[number], Dataset>;
  const shardRecords = Object.fromEntries(SPLITS.map((name) => [name, parts[name].size]));
  if (shard) {
    const counts = SPLITS.map((name) => `${parts[name].size} ${name}`).join(', ');
    line(io.stderr, `shard ${shard.index}/${shard.count}: ${counts} records`);
  }
  const pool = createPreprocessPool({
    jobs: jobsOption(args),
    plugins: pluginModules({ spec, baseDir: config.dir, registry, encoders }),
  });
  try {
    return await preprocessSplits();
  } finally {
    await pool.close();
  }

  async function preprocessSplits(): Promise<number> {
    const progress = createStepProgress(io, 'preprocess');
    const summary: Record<
      string,
      Record<string, { records: number; hits: number; computed: number; missing: number; failed: number }>
    > = {};
    for (const name of SPLITS) {
      const part = parts[name];
      if (part.size === 0) continue;
      for (const input of spec.inputs) {
        // An optional field no record has is all zeros in training; nothing to cache.
        if (!part.fields.includes(input.field) && input.optional) continue;
        const { encoder, state } = encoders[input.field]!;
        const step = `${name}/${input.field}`;
        const batch = await pool.preprocessField(
          part,
          input.field,
          encoder as EncoderV1<unknown, unknown>,
          { id: encoder.id, options: input.options, state },
          {
            cache,
            invalid: 'collect',
            onProgress: (p) => progress.update(step, p.done, p.total, { hits: p.hits, computed: p.computed }),
          },
        );
        progress.end();
        if (batch.failures.length > 0) {
          const rows = part.ids.map((id) => rowOfId.get(id)!);
          dataCheck = withPreprocessFailures(dataCheck, batch.failures, part, name, rows);
        }
        summary[name] ??= {};
        summary[name][input.field] = {
          records: part.size,
          hits: batch.stats.hits,
          computed: batch.stats.computed,
          missing: batch.stats.missing,
          failed: batch.failures.length,
        };
      }
    }
    // Records that failed while preprocessing: all of them reported, then the policy applies.
    if (dataCheck !== checked.dataCheck) {
      if (onInvalid === 'fail') throw invalidDataError(dataCheck);
      printCheck(io, dataCheck, onInvalid);
    }
    line(
      io.stdout,
      JSON.stringify(
        {
          cache: cacheDir,
          ...(shard ? { shard: { ...shard, records: shardRecords } } : {}),
          splits: summary,
          ...(dataCheck.invalid > 0 ? { skipped: dataCheck.invalidRecords } : {}),
          // What each field's cache keys derive from: equal in every shard's summary, or the shards
          // fitted differently and fill different entries.
          fingerprints: Object.fromEntries(
            spec.inputs.map((input) => {
              const { encoder, state } = encoders[input.field]!;
              return [input.field, encoderFingerprint(encoder, state)];
            }),
          ),
        },
        null,
        2,
      ),
    );
    return 0;
  }
}
