import path from 'node:path';
import { type Dataset, loadManifest, type ModelSpec, type PluginList } from '@omnifuse/core';
import { fitEncoders, resolveRegistry } from '@omnifuse/trainer';
import type { LoadedConfig } from './config.js';
import { audioInputFor, imageInputFor, type SizedInput } from './data-sized-inputs.js';
import { type MediaSample, sampleIndices, sampleMedia } from './media-sample.js';
import { pluginSearchDirs } from './plugins.js';

/**
 * An image or audio input whose feature holds more than this many times the values of the input
 * `omnifuse init` would size for the same data is reported: a conv net's time per epoch grows about
 * in step with its input, so 4× the values is about 4× the epoch for nothing the data holds.
 */
export const OVERSIZED_INPUT_FACTOR = 4;

/** Records whose values fit the encoders being measured: a feature's shape depends on options, not data. */
const FIT_RECORDS = 4;

export interface OversizedInput {
  readonly field: string;
  readonly encoder: string;
  /** Feature shape the config gives, e.g. `[224, 224, 3]`. */
  readonly shape: readonly number[];
  /** What init would choose for the data, with its reason. */
  readonly dataSized: SizedInput;
  /** Values per example, the config's over init's. */
  readonly ratio: number;
}

/**
 * The image and audio inputs of `spec` whose features hold more than {@link OVERSIZED_INPUT_FACTOR}
 * times the values of the data-sized input `init` would choose, from a sample of the data's
 * headers (`sampleMedia`). Encoders with a fixed pretrained input (`*:onnx`) are left out.
 */
export async function findOversizedInputs(options: {
  readonly spec: ModelSpec;
  readonly dataset: Dataset;
  readonly plugins: PluginList;
  readonly baseDir: string;
  readonly searchDirs: readonly string[];
}): Promise<OversizedInput[]> {
  const { spec, dataset } = options;
  const media = spec.inputs.filter(
    (input) =>
      ['image', 'audio'].includes(dataset.fieldTypes[input.field] ?? '') && !input.encoder.endsWith(':onnx'),
  );
  if (media.length === 0) return [];
  const samples = await sampleMedia(dataset, options.searchDirs);
  const registry = await resolveRegistry({ baseDir: options.baseDir, registry: options.plugins });
  const found: OversizedInput[] = [];
  for (const input of media) {
    const sample = samples[input.field];
    if (!sample || sample.kind === 'none') continue;
    const fitted = await fitEncoders(
      { ...spec, inputs: [input] },
      registry,
      dataset.subset(sampleIndices(dataset, input.field, FIT_RECORDS)),
    );
    const { encoder, state } = fitted[input.field]!;
    const shape = encoder.featureSpec(state).shape;
    const dataSized = dataSizedInput(sample, dataset.size);
    const ratio = shape.reduce((a, b) => a * b, 1) / dataSized.featureValues;
    if (ratio > OVERSIZED_INPUT_FACTOR) {
      found.push({ field: input.field, encoder: input.encoder, shape, dataSized, ratio });
    }
  }
  return found;
}

/**
 * `omnifuse train`'s warnings about oversized inputs, one line each, on the dataset given (else the
 * spec's manifest, loaded); none when the check itself cannot run (training then reports the broken config or the missing data itself).
 */
export async function oversizedInputWarnings(
  spec: ModelSpec,
  config: LoadedConfig,
  loaded?: Dataset,
): Promise<string[]> {
  if (!spec.data && !loaded) return [];
  try {
    const dataset = loaded ?? (await loadManifest(path.resolve(config.dir, spec.data!)));
    const found = await findOversizedInputs({
      spec,
      dataset,
      plugins: config.plugins,
      baseDir: config.dir,
      searchDirs: pluginSearchDirs(config.dir),
    });
    return found.map(warningLine);
  } catch {
    return [];
  }
}

function dataSizedInput(sample: MediaSample, records: number): SizedInput {
  return sample.kind === 'image' ? imageInputFor(sample, records) : audioInputFor(sample);
}

function warningLine(found: OversizedInput): string {
  const values = found.shape.reduce((a, b) => a * b, 1);
  const needed = found.dataSized.featureValues;
  return (
    `warning: input "${found.field}" (${found.encoder}) is ${found.shape.join('×')} = ` +
    `${values.toLocaleString('en-US')} values per example, ${Math.round(found.ratio)}× the ` +
    `${needed.toLocaleString('en-US')} the data needs, and the time per epoch grows with it; ` +
    `omnifuse init would choose: ${found.dataSized.why}`
  );
}
