import type { FeatureDType } from './spec/feature.js';

type FeatureArray = Float32Array | Int32Array | Uint8Array;
type FeatureArrayConstructor = {
  new (length: number): FeatureArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): FeatureArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** The typed array class that holds features of a dtype. */
export function featureArrayType(dtype: FeatureDType): FeatureArrayConstructor {
  return dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array;
}

/** The dtype of the model input a feature feeds: tfjs has no uint8 tensors, so uint8 becomes float32. */
export function tensorDTypeOf(dtype: FeatureDType): 'float32' | 'int32' {
  return dtype === 'int32' ? 'int32' : 'float32';
}

/** Whether `data` is the typed array class a dtype requires. */
export function matchesFeatureDType(data: unknown, dtype: FeatureDType): boolean {
  return data instanceof featureArrayType(dtype);
}
