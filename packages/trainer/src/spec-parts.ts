import {
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
