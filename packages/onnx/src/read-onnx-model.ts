import {
  Dimension,
  dtypeOfCode,
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
import { type ProtoField, protoInt, protoString, readProtoFields } from './protobuf-reader.js';

/**
 * A tensor's declared shape: a number is a fixed size, a string a symbolic one (`'batch'`), null
 * a dimension the model leaves unknown.
 */
export type OnnxShape = readonly (number | string | null)[];

/** A graph input or output as the model file declares it. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Null for non-tensor values (sequences, maps). */
  readonly dtype: OnnxDType | `unknown(${number})` | null;
  /** Null when the model does not declare the rank. */
  readonly shape: OnnxShape | null;
}

/** What {@link readOnnxModelInfo} reads from a model's bytes, without running anything. */
export interface OnnxModelInfo {
  readonly irVersion: number;
  readonly producerName: string;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  /** Graph inputs the caller feeds (initializers listed as inputs are left out). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly nodeCount: number;
  readonly initializerCount: number;
  /** Some initializer keeps its data in a separate file next to the model. */
  readonly usesExternalData: boolean;
}

/** Why bytes are not a readable ONNX model; {@link readOnnxModelInfo} throws it. */
export class OnnxFormatError extends Error {
  constructor(
    readonly reason: string,
    /** Byte offset where reading failed, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? reason : `${reason} (at byte ${offset})`);
    this.name = 'OnnxFormatError';
  }
}

const EXTERNAL_DATA_LOCATION = 14;

/**
 * Reads an ONNX model's header with the minimal protobuf reader: IR version, opsets, the graph's
 * inputs and outputs with their declared types and shapes. Throws {@link OnnxFormatError} when the
 * bytes are not a ModelProto (another file type, truncated or corrupt).
 */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  try {
    return readModel(bytes);
  } catch (error) {
    if (error instanceof OnnxFormatError) throw error;
    const offset = (error as { offset?: number }).offset;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw new OnnxFormatError(`malformed protobuf: ${reason}`, offset);
  }
}

function readModel(bytes: Uint8Array): OnnxModelInfo {
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  let irVersion: number | undefined;
  let producerName = '';
  let graph: ProtoField | undefined;
  const opsets: { domain: string; version: number }[] = [];
  for (const field of readProtoFields(bytes)) {
    switch (field.field) {
      case ModelProto.irVersion:
        expectWire(field, 0, 'ir_version');
        irVersion = protoInt(field);
        break;
      case ModelProto.producerName:
        expectWire(field, 2, 'producer_name');
        producerName = protoString(field);
        break;
      case ModelProto.graph:
        expectWire(field, 2, 'graph');
        graph = field;
        break;
      case ModelProto.opsetImport: {
        expectWire(field, 2, 'opset_import');
        let domain = '';
        let version = 0;
        for (const f of subFields(field)) {
          if (f.field === OperatorSetIdProto.domain) domain = protoString(f);
          else if (f.field === OperatorSetIdProto.version) version = protoInt(f);
        }
        opsets.push({ domain, version });
        break;
      }
    }
  }
  if (irVersion === undefined || irVersion < 1 || irVersion > 100) {
    throw new OnnxFormatError(`no valid ir_version (found ${irVersion ?? 'none'})`);
  }
  if (!graph) throw new OnnxFormatError('no graph');
  return { irVersion, producerName, opsets, ...readGraph(graph) };
}

function readGraph(graph: ProtoField) {
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializerNames = new Set<string>();
  let nodeCount = 0;
  let usesExternalData = false;
  for (const field of subFields(graph)) {
    switch (field.field) {
      case GraphProto.node:
        expectWire(field, 2, 'graph.node');
        nodeCount++;
        // Walk it so that a corrupt node fails here, with an offset, rather than in onnxruntime.
        for (const f of subFields(field)) if (f.field === NodeProto.opType) expectWire(f, 2, 'node.op_type');
        break;
      case GraphProto.initializer:
        expectWire(field, 2, 'graph.initializer');
        for (const f of subFields(field)) {
          if (f.field === TensorProto.name) initializerNames.add(protoString(f));
          else if (f.field === EXTERNAL_DATA_LOCATION && protoInt(f) === 1) usesExternalData = true;
        }
        break;
      case GraphProto.input:
        expectWire(field, 2, 'graph.input');
        inputs.push(readValueInfo(field));
        break;
      case GraphProto.output:
        expectWire(field, 2, 'graph.output');
        outputs.push(readValueInfo(field));
        break;
    }
  }
  if (outputs.length === 0) throw new OnnxFormatError('the graph has no outputs');
  return {
    inputs: inputs.filter((input) => !initializerNames.has(input.name)),
    outputs,
    nodeCount,
    initializerCount: initializerNames.size,
    usesExternalData,
  };
}

function readValueInfo(field: ProtoField): OnnxValueInfo {
  let name = '';
  let dtype: OnnxValueInfo['dtype'] = null;
  let shape: (number | string | null)[] | null = null;
  for (const f of subFields(field)) {
    if (f.field === ValueInfoProto.name) name = protoString(f);
    else if (f.field === ValueInfoProto.type) {
      for (const t of subFields(f)) {
        if (t.field !== TypeProto.tensorType) continue;
        dtype = 'unknown(0)';
        for (const tensor of subFields(t)) {
          if (tensor.field === TypeProtoTensor.elemType) dtype = dtypeOfCode(protoInt(tensor));
          else if (tensor.field === TypeProtoTensor.shape) {
            shape = [];
            for (const dim of subFields(tensor)) {
              if (dim.field === TensorShapeProto.dim) shape.push(readDimension(dim));
            }
          }
        }
      }
    }
  }
  if (name === '') throw new OnnxFormatError('a graph input or output has no name');
  return { name, dtype, shape };
}

function readDimension(field: ProtoField): number | string | null {
  let dim: number | string | null = null;
  for (const f of subFields(field)) {
    if (f.field === Dimension.dimValue && f.wireType === 0) dim = protoInt(f);
    else if (f.field === Dimension.dimParam && f.wireType === 2) dim = protoString(f) || null;
  }
  return dim;
}

function subFields(field: ProtoField): Generator<ProtoField> {
  if (field.wireType !== 2) throw new OnnxFormatError(`field ${field.field} is not a message`, field.offset);
  return readProtoFields(field.bytes, field.offset);
}

function expectWire(field: ProtoField, wireType: number, what: string): void {
  if (field.wireType !== wireType) {
    throw new OnnxFormatError(`${what} has wire type ${field.wireType}, expected ${wireType}`, field.offset);
  }
}
