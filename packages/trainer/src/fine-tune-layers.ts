import { type ComposedInput, ErrorCode, OmnifuseError } from '@omnifuse/core';
import type * as tf from '@tensorflow/tfjs';
import { globToRegExp, isGlob, type ParamGroup } from './param-groups.js';

type Layer = tf.layers.Layer;

/** Every layer of a model, nested models' layers included, in order. */
export function allLayers(model: tf.LayersModel): Layer[] {
  const out: Layer[] = [];
  const visit = (layer: Layer) => {
    out.push(layer);
    const inner = (layer as Partial<tf.LayersModel>).layers;
    if (Array.isArray(inner)) for (const child of inner) visit(child);
  };
  for (const layer of model.layers) visit(layer);
  return out;
}

/** Layers that hold weights, by name: what a pattern may select. */
function weightedLayers(model: tf.LayersModel): Layer[] {
  return allLayers(model).filter((layer) => layer.weights.length > 0 && !('layers' in layer));
}

/**
 * The layers a pattern selects. A plain word (no `/`, `*` or `?`) names a group: an input field
 * (its layers are `<field>/…`), `fusion` or `head`; anything else is a glob over layer names, with a
 * leading field name standing for that field's layer prefix where the two differ. A pattern that
 * selects nothing is an `E_OPTIONS` error listing the groups and layer names there are.
 */
export function selectLayers(
  model: tf.LayersModel,
  inputs: readonly ComposedInput[],
  pattern: string,
  path: string,
): Layer[] {
  const layers = weightedLayers(model);
  const prefixOf = new Map(inputs.map((input) => [input.field, input.layerPrefix]));
  let globs: string[];
  if (!pattern.includes('/') && !isGlob(pattern)) {
    const prefix = prefixOf.get(pattern) ?? pattern;
    globs = [prefix, `${prefix}/*`];
  } else {
    const [first, ...rest] = pattern.split('/');
    const prefix = first !== undefined ? prefixOf.get(first) : undefined;
    globs = prefix && prefix !== first ? [pattern, [prefix, ...rest].join('/')] : [pattern];
  }
  const res = globs.map(globToRegExp);
  const selected = layers.filter((layer) => res.some((re) => re.test(layer.name)));
  if (selected.length === 0) {
    const groups = [...inputs.map((input) => input.field), 'fusion', 'head'].filter(
      (group) =>
        inputs.some((input) => input.field === group) ||
        layers.some((layer) => layer.name.startsWith(`${group}/`)),
    );
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `"${pattern}" matches no layer with weights (groups: ${groups.join(', ')}; layers: ${layers.map((l) => l.name).join(', ')})`,
      path,
      expected: { groups, layers: layers.map((l) => l.name) },
      found: pattern,
    });
  }
  return selected;
}

/**
 * Freezes the layers `freeze` selects, then unfreezes those `unfreeze` selects (so `unfreeze` wins:
 * `freeze: ['*'], unfreeze: ['head']` trains the head only). Returns the frozen layers' names.
 *
 * A frozen BatchNormalization layer is also kept in inference mode: tfjs updates its moving mean
 * and variance on every training-mode call whether or not it is trainable, so without this a frozen
 * encoder's statistics would drift and it would normalise by batch statistics (Keras's rule for
 * `trainable = false` batch normalisation). Only this in-memory model is affected.
 */
export function applyFreezing(
  model: tf.LayersModel,
  inputs: readonly ComposedInput[],
  freeze: readonly string[],
  unfreeze: readonly string[],
): string[] {
  const frozen = new Set<Layer>();
  freeze.forEach((pattern, i) => {
    for (const layer of selectLayers(model, inputs, pattern, `freeze[${i}]`)) frozen.add(layer);
  });
  unfreeze.forEach((pattern, i) => {
    for (const layer of selectLayers(model, inputs, pattern, `unfreeze[${i}]`)) frozen.delete(layer);
  });
  freezeLayers(frozen);
  return [...frozen].map((layer) => layer.name);
}

/** Freezes the layers given (not trainable; batch normalisation kept in inference mode, see `applyFreezing`). */
export function freezeLayers(layers: Iterable<Layer>): void {
  for (const layer of layers) {
    layer.trainable = false;
    if (layer.getClassName() === 'BatchNormalization') keepInInferenceMode(layer);
  }
}

/** Freezes the model's layers with these names, as `applyFreezing` froze them elsewhere (e.g. in a replica). */
export function freezeLayersByName(model: tf.LayersModel, names: readonly string[]): void {
  const wanted = new Set(names);
  freezeLayers(allLayers(model).filter((layer) => wanted.has(layer.name)));
}

function keepInInferenceMode(layer: Layer): void {
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
}

/**
 * Param groups from `learningRates` (pattern → rate, in the order given; the first pattern that
 * selects a layer sets its rate): the trainable weights of each pattern's layers, by exact name.
 * A pattern whose layers are all frozen is an error, since its rate could not apply.
 */
export function learningRateGroups(
  model: tf.LayersModel,
  inputs: readonly ComposedInput[],
  learningRates: Readonly<Record<string, number>>,
): ParamGroup[] {
  const taken = new Set<string>();
  const groups: ParamGroup[] = [];
  for (const [pattern, learningRate] of Object.entries(learningRates)) {
    const path = `learningRates["${pattern}"]`;
    if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `the learning rate of "${pattern}" must be a number ≥ 0`,
        path,
        expected: 'a number ≥ 0',
        found: learningRate,
      });
    }
    const layers = selectLayers(model, inputs, pattern, path);
    const trainable = layers.filter((layer) => layer.trainable);
    if (trainable.length === 0) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `"${pattern}" selects only frozen layers, so its learning rate cannot apply (unfreeze them or drop the rate)`,
        path,
        found: layers.map((layer) => layer.name),
      });
    }
    const weights = trainable
      .flatMap((layer) => layer.trainableWeights.map((w) => w.name))
      .filter((name) => !taken.has(name));
    for (const name of weights) taken.add(name);
    // Weight names hold no `*` or `?`, so each is a glob matching itself alone.
    if (weights.length > 0) groups.push({ weights, learningRate });
  }
  return groups;
}
