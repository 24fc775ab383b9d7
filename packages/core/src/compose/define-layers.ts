import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type Serializable = tfTypes.serialization.SerializableConstructor<tfTypes.layers.Layer>;

/**
 * A custom layer class as tfjs serialises it: a `Layer` subclass with the static `className` its
 * saved config names (so a minified build still loads) and the `fromConfig` it inherits. `Args` are
 * its constructor's arguments.
 */
export type CustomLayerClass<Args extends unknown[] = never[]> = (new (
  ...args: Args
) => tfTypes.layers.Layer) & {
  readonly className: string;
  fromConfig: tfTypes.serialization.FromConfigMethod<tfTypes.layers.Layer>;
};

/**
 * Turns a function that defines custom layer classes against a tfjs namespace into one that defines
 * them once per namespace and registers each for serialization (`tf.serialization.registerClass`),
 * so a saved model that uses them reloads. The namespace is passed in, so a package holds no tfjs
 * copy of its own; calling the result again with the same namespace returns the same classes.
 *
 * ```ts
 * export const tensorLayers = defineLayers((tf) => {
 *   class TensorFusion extends tf.layers.Layer {
 *     static className = 'OmnifuseTensorFusion';
 *     // …
 *   }
 *   return { TensorFusion };
 * });
 * ```
 */
export function defineLayers<Layers extends { readonly [name: string]: CustomLayerClass }>(
  define: (tf: Tf) => Layers,
): (tf: Tf) => Layers {
  const defined = new WeakMap<Tf, Layers>();
  return (tf) => {
    const known = defined.get(tf);
    if (known) return known;
    const layers = define(tf);
    // tfjs types the constructor as taking `any[]`; every layer class is one.
    for (const layer of Object.values(layers)) tf.serialization.registerClass(layer as Serializable);
    defined.set(tf, layers);
    return layers;
  };
}
