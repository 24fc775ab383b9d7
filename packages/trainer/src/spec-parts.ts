import {
  type EncoderV1,
  type FusionV1,
  inPluginStepSync,
  type ModelSpec,
  type Registry,
  type TaskSpec,
} from '@omnifuse/core';

/** The task a spec's output describes (labels as the spec gives them; `fitLabels` completes them). */
export function specTask(spec: ModelSpec): TaskSpec {
  return { type: spec.output.type, field: spec.output.field, labels: spec.output.labels };
}

/** The spec's fusion method, created from its plugin; undefined for a single input. */
export function createSpecFusion(spec: ModelSpec, registry: Registry): FusionV1 | undefined {
  const fusionSpec = spec.fusion;
  return fusionSpec
    ? inPluginStepSync({ plugin: fusionSpec.type, step: 'create' }, () =>
        registry.fusion(fusionSpec.type).create(fusionSpec.options),
      )
    : undefined;
}

/**
 * Each input's encoder, created from its plugin (its options validated), by field: done before any
 * data is read, so a typo in an option costs nothing but the error.
 */
export function createSpecEncoders(spec: ModelSpec, registry: Registry): Record<string, EncoderV1> {
  const created: Record<string, EncoderV1> = {};
  for (const input of spec.inputs) {
    const plugin = registry.encoder(input.encoder);
    created[input.field] = inPluginStepSync({ plugin: plugin.id, step: 'create', field: input.field }, () =>
      plugin.create(input.options),
    ) as EncoderV1;
  }
  return created;
}
