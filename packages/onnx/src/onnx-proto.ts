/**
 * Field numbers and enums of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
 * that the reader and the builder use. Only what they need; names follow the .proto file.
 */
export const ModelProto = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  graph: 7,
  opsetImport: 8,
} as const;
export const OperatorSetIdProto = { domain: 1, version: 2 } as const;
export const GraphProto = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
export const NodeProto = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
export const AttributeProto = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  t: 5,
  floats: 7,
  ints: 8,
  strings: 9,
  type: 20,
} as const;
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;
export const TensorProto = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
export const ValueInfoProto = { name: 1, type: 2 } as const;
export const TypeProto = { tensorType: 1 } as const;
export const TypeProtoTensor = { elemType: 1, shape: 2 } as const;
export const TensorShapeProto = { dim: 1 } as const;
export const Dimension = { dimValue: 1, dimParam: 2 } as const;

/** Tensor element types by the names onnxruntime uses (`Tensor.Type`). */
export type OnnxDType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'bfloat16';

/** `TensorProto.DataType` codes. */
export const DATA_TYPE_CODES: Readonly<Record<OnnxDType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

/** The dtype name of a `TensorProto.DataType` code, or `unknown(<code>)`. */
export function dtypeOfCode(code: number): OnnxDType | `unknown(${number})` {
  for (const [name, value] of Object.entries(DATA_TYPE_CODES)) if (value === code) return name as OnnxDType;
  return `unknown(${code})`;
}
