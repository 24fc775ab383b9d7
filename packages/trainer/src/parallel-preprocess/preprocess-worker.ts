/**
 * A preprocessing pool thread (tinypool): runs core's `preprocessField` on a slice of a field's
 * records — reading and hashing media, the feature cache, decoding and the encoder's `preprocess` —
 * with the encoder re-created from its plugin module and fitted state, and writes the features into
 * the field's arrays in shared memory.
 */
import {
  createDataset,
  createFeatureCache,
  disabledFeatureCache,
  type EncoderV1,
  ErrorCode,
  type FeatureCache,
  featureArrayType,
  inPluginStepSync,
  OmnifuseError,
  preprocessField,
  type Registry,
} from '@omnifuse/core';
import { heapBudget } from '../heap-budget.js';
import { resolveRegistry } from '../plugins.js';
import { omnifuseFields, serializeError } from '../thread-errors.js';
import type { SliceError, SliceFailure, SliceResult, SliceTask } from './protocol.js';

const ID_COLUMN = '__omnifuse_record_id';
const registries = new Map<string, Promise<Registry>>();
const caches = new Map<string, FeatureCache>();
const encoders = new Map<string, EncoderV1<unknown, unknown>>();

// This thread's garbage stays within a fixed slack, whatever the number of records it preprocesses.
const collectWhenOverBudget = heapBudget();

export default async function preprocessSlice(task: SliceTask): Promise<SliceResult | SliceError> {
  try {
    return await preprocessInThread(task);
  } catch (error) {
    return { error: serializeError(error) };
  } finally {
    collectWhenOverBudget();
  }
}

async function preprocessInThread(task: SliceTask): Promise<SliceResult> {
  const registry = await registryFor(task.plugins);
  if (!registry.has('encoder', task.encoder.id)) {
    throw new OmnifuseError({
      code: ErrorCode.PluginNotFound,
      message: `preprocessing threads cannot import encoder ${task.encoder.id}: a plugin given in code reaches them only through a module — name its package or file in the spec's plugins, or preprocess with jobs: 1`,
      plugin: task.encoder.id,
      field: task.field,
      found: task.plugins.modules,
    });
  }
  // One encoder per (id, options) in this thread: creating one can cost more than a slice's records
  // (e.g. an audio encoder's filter banks and kernels).
  const key = JSON.stringify([task.encoder.id, task.encoder.options]);
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = inPluginStepSync({ plugin: task.encoder.id, step: 'create', field: task.field }, () =>
      registry.encoder(task.encoder.id).create(task.encoder.options),
    ) as EncoderV1<unknown, unknown>;
    encoders.set(key, encoder);
  }
  // The records under their original ids (an extra column, so no field of theirs changes).
  const dataset = createDataset(
    task.dataset.records.map((record, i) => ({ ...record, [ID_COLUMN]: task.dataset.ids[i] })),
    { root: task.dataset.root, fieldTypes: task.dataset.fieldTypes, idField: ID_COLUMN },
    task.dataset.source,
  );
  const ArrayType = featureArrayType(encoder.featureSpec(task.encoder.state).dtype);
  const batch = await preprocessField(dataset, task.field, encoder, task.encoder.state, {
    // Straight into the field's shared arrays, at this slice's rows.
    into: {
      data: new ArrayType(task.output.data),
      presence: new Float32Array(task.output.presence),
      offset: task.output.start,
    },
    cache: cacheFor(task.cache),
    invalid: task.invalid,
    concurrency: 1,
    ...(task.media === undefined ? {} : { media: task.media }),
  });
  const failures: SliceFailure[] = batch.failures.map((failure) => ({
    index: failure.index,
    fields: { ...omnifuseFields(failure.error), code: failure.code, message: failure.reason },
  }));
  return { stats: batch.stats, failures };
}

function registryFor(plugins: SliceTask['plugins']): Promise<Registry> {
  const key = JSON.stringify(plugins);
  let registry = registries.get(key);
  if (!registry) {
    registry = resolveRegistry({ specifiers: plugins.modules, baseDir: plugins.baseDir, tolerant: true });
    registries.set(key, registry);
  }
  return registry;
}

function cacheFor(cache: SliceTask['cache']): FeatureCache {
  if (!cache) return disabledFeatureCache();
  const key = `${cache.dir}\0${cache.fsync}`;
  let found = caches.get(key);
  if (!found) {
    found = createFeatureCache(cache);
    caches.set(key, found);
  }
  return found;
}
