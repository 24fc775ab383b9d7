import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import {
  AttributeProto,
  AttributeType,
  DATA_TYPE_CODES,
  Dimension,
  GraphProto,
  ModelProto,
  NodeProto,
  type OnnxDType,
  OperatorSetIdProto,
  TensorProto,
  TensorShapeProto,
  TypeProto,
  TypeProtoTensor,
  ValueInfoProto,
} from './onnx-proto.js';
import { ProtoWriter } from './protobuf-writer.js';

/** A graph input or output: `shape` entries are sizes, symbolic names (`'batch'`) or null (unknown). */
export interface OnnxValueSpec {
  readonly name: string;
  readonly shape: readonly (number | string | null)[];
  /** Default `float32`. */
  readonly dtype?: OnnxDType;
}

/** Data of a constant tensor; the dtype follows the array type unless `dtype` says otherwise. */
export type OnnxTensorValues =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array;

/** A constant tensor: an initializer (weights), or a `tensor` attribute. */
export interface OnnxTensorSpec {
  readonly dims: readonly number[];
  readonly data: OnnxTensorValues;
  /** Override the dtype the array type implies, e.g. `bool` for a Uint8Array of 0/1. */
  readonly dtype?: OnnxDType;
}

export interface OnnxInitializerSpec extends OnnxTensorSpec {
  readonly name: string;
}

/**
 * An attribute value. Plain values are typed by their JS type: a string → STRING, a number → INT
 * when it is an integer and the attribute name is not a known float attribute (`alpha`, `beta`,
 * `epsilon`, …), else FLOAT; arrays likewise. Use the tagged form to say exactly which.
 */
export type OnnxAttributeValue =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { readonly type: 'float' | 'int'; readonly value: number }
  | { readonly type: 'floats' | 'ints'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensor'; readonly value: OnnxTensorSpec };

export interface OnnxNodeSpec {
  /** Operator type, e.g. `Conv`. */
  readonly op: string;
  /** Input value names in the operator's order; `''` skips an optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  /** Default `<op>_<index>`. */
  readonly name?: string;
  /** Operator domain; default the ONNX domain (`''`). */
  readonly domain?: string;
}

export interface BuildOnnxModelOptions {
  readonly inputs: readonly OnnxValueSpec[];
  readonly outputs: readonly OnnxValueSpec[];
  /** In topological order: every node input is a graph input, an initializer or an earlier output. */
  readonly nodes: readonly OnnxNodeSpec[];
  readonly initializers?: readonly OnnxInitializerSpec[];
  /** ONNX opset of the default domain; default 17. At least 11. */
  readonly opset?: number;
  /** Default: the lowest IR version that supports `opset`. */
  readonly irVersion?: number;
  /** Default `omnifuse_graph`. */
  readonly graphName?: string;
}

/** Attribute names that hold floats in the standard operators, so `alpha: 1` is written as 1.0. */
const FLOAT_ATTRIBUTES = new Set([
  'alpha',
  'beta',
  'bias',
  'epsilon',
  'gamma',
  'lambd',
  'max',
  'min',
  'momentum',
  'ratio',
  'spatial_scale',
  'value_float',
  'value_floats',
]);

const DEFAULT_OPSET = 17;
const MIN_OPSET = 11;

/**
 * Builds an ONNX model (ModelProto bytes) by hand over the protobuf wire format, with no
 * dependencies. A testing utility: it makes small models for tests and examples (a tiny CNN, a
 * linear layer, an embedding lookup) so nothing has to be downloaded. It checks that the graph is
 * wired up (names defined before use, outputs produced, initializer sizes) but not the operators'
 * semantics; onnxruntime checks those when it loads the model.
 */
export function buildOnnxModel(options: BuildOnnxModelOptions): Uint8Array {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET) {
    invalid('opset', `opset must be an integer ≥ ${MIN_OPSET}`, `≥ ${MIN_OPSET}`, opset);
  }
  const initializers = options.initializers ?? [];
  checkGraph(options, initializers);

  const model = new ProtoWriter();
  model.varint(ModelProto.irVersion, options.irVersion ?? irVersionFor(opset));
  model.string(ModelProto.producerName, 'omnifuse buildOnnxModel');
  model.message(ModelProto.graph, (graph) => {
    options.nodes.forEach((node, i) => {
      graph.message(GraphProto.node, (w) => writeNode(w, node, i));
    });
    graph.string(GraphProto.name, options.graphName ?? 'omnifuse_graph');
    initializers.forEach((init, i) => {
      graph.message(GraphProto.initializer, (w) => writeTensor(w, init, `initializers[${i}]`, init.name));
    });
    for (const input of options.inputs) graph.message(GraphProto.input, (w) => writeValueInfo(w, input));
    for (const output of options.outputs) graph.message(GraphProto.output, (w) => writeValueInfo(w, output));
  });
  model.message(ModelProto.opsetImport, (w) => {
    w.string(OperatorSetIdProto.domain, '');
    w.varint(OperatorSetIdProto.version, opset);
  });
  return model.finish();
}

/** The lowest IR version that carries an opset (onnx/onnx docs/Versioning.md). */
function irVersionFor(opset: number): number {
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function checkGraph(options: BuildOnnxModelOptions, initializers: readonly OnnxInitializerSpec[]): void {
  const defined = new Set<string>();
  const define = (name: string, path: string) => {
    if (typeof name !== 'string' || name === '')
      invalid(path, 'a value needs a non-empty name', 'a name', name);
    if (defined.has(name)) invalid(path, `"${name}" is defined twice`, 'unique value names', name);
    defined.add(name);
  };
  if (options.inputs.length === 0) invalid('inputs', 'a model needs at least one input', '≥ 1 input', 0);
  if (options.outputs.length === 0) invalid('outputs', 'a model needs at least one output', '≥ 1 output', 0);
  options.inputs.forEach((input, i) => {
    define(input.name, `inputs[${i}].name`);
    checkShape(input.shape, `inputs[${i}].shape`);
  });
  initializers.forEach((init, i) => {
    define(init.name, `initializers[${i}].name`);
  });
  options.nodes.forEach((node, i) => {
    if (typeof node.op !== 'string' || node.op === '')
      invalid(`nodes[${i}].op`, 'a node needs an op', 'an op', node.op);
    node.inputs.forEach((name, j) => {
      if (name !== '' && !defined.has(name)) {
        invalid(
          `nodes[${i}].inputs[${j}]`,
          `${node.op} node reads "${name}" before anything defines it`,
          'a graph input, an initializer or an earlier node output',
          name,
        );
      }
    });
    if (node.outputs.length === 0) invalid(`nodes[${i}].outputs`, 'a node needs an output', '≥ 1 output', 0);
    node.outputs.forEach((name, j) => {
      define(name, `nodes[${i}].outputs[${j}]`);
    });
  });
  options.outputs.forEach((output, i) => {
    if (!defined.has(output.name)) {
      invalid(
        `outputs[${i}].name`,
        `no node produces the output "${output.name}"`,
        'a defined value',
        output.name,
      );
    }
    checkShape(output.shape, `outputs[${i}].shape`);
  });
}

function checkShape(shape: readonly (number | string | null)[], path: string): void {
  shape.forEach((dim, i) => {
    if (typeof dim === 'number' && !(Number.isInteger(dim) && dim >= 0)) {
      invalid(`${path}[${i}]`, 'a dimension is a size ≥ 0, a symbolic name or null', 'a size ≥ 0', dim);
    }
  });
}

function writeValueInfo(w: ProtoWriter, value: OnnxValueSpec): void {
  w.string(ValueInfoProto.name, value.name);
  w.message(ValueInfoProto.type, (type) =>
    type.message(TypeProto.tensorType, (tensor) => {
      tensor.varint(TypeProtoTensor.elemType, DATA_TYPE_CODES[value.dtype ?? 'float32']);
      tensor.message(TypeProtoTensor.shape, (shape) => {
        for (const dim of value.shape) {
          shape.message(TensorShapeProto.dim, (d) => {
            if (typeof dim === 'number') d.varint(Dimension.dimValue, dim);
            else if (typeof dim === 'string') d.string(Dimension.dimParam, dim);
          });
        }
      });
    }),
  );
}

function writeNode(w: ProtoWriter, node: OnnxNodeSpec, index: number): void {
  for (const input of node.inputs) w.string(NodeProto.input, input);
  for (const output of node.outputs) w.string(NodeProto.output, output);
  w.string(NodeProto.name, node.name ?? `${node.op}_${index}`);
  w.string(NodeProto.opType, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    w.message(NodeProto.attribute, (a) =>
      writeAttribute(a, name, value, `nodes[${index}].attributes.${name}`),
    );
  }
  if (node.domain) w.string(NodeProto.domain, node.domain);
}

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttributeValue, path: string): void {
  const typed = typeAttribute(name, value, path);
  w.string(AttributeProto.name, name);
  switch (typed.type) {
    case 'float':
      w.float(AttributeProto.f, typed.value);
      w.varint(AttributeProto.type, AttributeType.FLOAT);
      break;
    case 'int':
      w.varint(AttributeProto.i, typed.value);
      w.varint(AttributeProto.type, AttributeType.INT);
      break;
    case 'string':
      w.string(AttributeProto.s, typed.value);
      w.varint(AttributeProto.type, AttributeType.STRING);
      break;
    case 'tensor':
      w.message(AttributeProto.t, (t) => writeTensor(t, typed.value, path));
      w.varint(AttributeProto.type, AttributeType.TENSOR);
      break;
    case 'floats':
      w.packedFloats(AttributeProto.floats, typed.value);
      w.varint(AttributeProto.type, AttributeType.FLOATS);
      break;
    case 'ints':
      w.packedVarints(AttributeProto.ints, typed.value);
      w.varint(AttributeProto.type, AttributeType.INTS);
      break;
    case 'strings':
      for (const s of typed.value) w.string(AttributeProto.strings, s);
      w.varint(AttributeProto.type, AttributeType.STRINGS);
      break;
  }
}

type TypedAttribute = Exclude<OnnxAttributeValue, number | string | readonly number[] | readonly string[]>;

function typeAttribute(name: string, value: OnnxAttributeValue, path: string): TypedAttribute {
  const floatName = FLOAT_ATTRIBUTES.has(name);
  let typed: TypedAttribute;
  if (typeof value === 'number') {
    typed = { type: floatName || !Number.isInteger(value) ? 'float' : 'int', value };
  } else if (typeof value === 'string') {
    typed = { type: 'string', value };
  } else if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) typed = { type: 'strings', value: value as string[] };
    else if (value.every((v) => typeof v === 'number')) {
      const numbers = value as number[];
      typed = {
        type: floatName || numbers.some((v) => !Number.isInteger(v)) ? 'floats' : 'ints',
        value: numbers,
      };
    } else
      return invalid(
        path,
        'an attribute list holds only numbers or only strings',
        'numbers or strings',
        value,
      );
  } else typed = value as TypedAttribute;
  const numbers =
    typed.type === 'float' || typed.type === 'int'
      ? [typed.value]
      : typed.type === 'floats' || typed.type === 'ints'
        ? typed.value
        : [];
  if (numbers.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    invalid(path, 'attribute numbers must be finite', 'finite numbers', numbers);
  }
  if ((typed.type === 'int' || typed.type === 'ints') && numbers.some((v) => !Number.isInteger(v))) {
    invalid(path, `an ${typed.type} attribute holds integers`, 'integers', numbers);
  }
  return typed;
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensorSpec, path: string, name?: string): void {
  const dtype = tensor.dtype ?? dtypeOfArray(tensor.data, path);
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.dims.some((d) => !Number.isInteger(d) || d < 0)) {
    invalid(`${path}.dims`, 'tensor dims are sizes ≥ 0', 'sizes ≥ 0', tensor.dims);
  }
  if (tensor.data.length !== size) {
    invalid(
      `${path}.data`,
      `dims ${JSON.stringify(tensor.dims)} hold ${size} values but the data has ${tensor.data.length}`,
      size,
      tensor.data.length,
    );
  }
  for (const dim of tensor.dims) w.varint(TensorProto.dims, dim);
  w.varint(TensorProto.dataType, DATA_TYPE_CODES[dtype]);
  if (name !== undefined) w.string(TensorProto.name, name);
  w.bytes(TensorProto.rawData, littleEndianBytes(tensor.data));
}

function dtypeOfArray(data: OnnxTensorValues, path: string): OnnxDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  return invalid(
    `${path}.data`,
    'tensor data must be a typed array',
    'Float32Array, Int32Array, …',
    typeof data,
  );
}

/** raw_data is little-endian whatever the host is. */
function littleEndianBytes(data: OnnxTensorValues): Uint8Array {
  const width = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(data.length * width);
  if (width === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length));
    return out;
  }
  const view = new DataView(out.buffer);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, data[i]!, true);
  } else if (data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i]!, true);
  } else if (data instanceof Int32Array) {
    for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i]!, true);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  }
  return out;
}

function invalid(path: string, message: string, expected: unknown, found: unknown): never {
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `buildOnnxModel: ${message}`,
    path,
    expected,
    found,
  });
}
