/**
 * A minimal protobuf encoder for the few ONNX messages a small model needs. Each function returns the
 * encoded bytes of one message; a parent embeds them as length-delimited fields. Field numbers are those
 * of onnx.proto (checked against python onnx 1.12's descriptors).
 *
 * onnx.proto is proto2, so repeated scalars are written unpacked (one tag per value), as its own
 * serializer does; parsers accept both forms anyway.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export const ElemType = { FLOAT: 1, INT64: 7 } as const;
export type ElemType = (typeof ElemType)[keyof typeof ElemType];

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

const utf8 = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Negative int64s are 10-byte two's complement varints, hence BigInt rather than 32-bit shifts. */
function varint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

const key = (field: number, wire: number) => varint((field << 3) | wire);

function intField(field: number, value: number): Uint8Array {
  return concat([key(field, WIRE_VARINT), varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concat([key(field, WIRE_LEN), varint(bytes.length), bytes]);
}

function stringField(field: number, s: string): Uint8Array {
  return bytesField(field, utf8.encode(s));
}

function floatField(field: number, value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concat([key(field, WIRE_I32), b]);
}

// ------------------------------------------------------------------------ TensorProto

/** TensorProto: dims=1, data_type=2, name=8, raw_data=9 (raw_data is always little-endian). */
function tensor(name: string, dims: readonly number[], type: ElemType, raw: Uint8Array): Uint8Array {
  return concat([...dims.map((d) => intField(1, d)), intField(2, type), stringField(8, name), bytesField(9, raw)]);
}

function checkSize(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`tensor ${name}: ${length} values for dims [${dims.join(', ')}]`);
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  checkSize(name, dims, values.length);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return tensor(name, dims, ElemType.FLOAT, raw);
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): Uint8Array {
  checkSize(name, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return tensor(name, dims, ElemType.INT64, raw);
}

// ------------------------------------------------------------------------ ValueInfoProto

/** A number is a fixed size (dim_value); a string names a dynamic one (dim_param), e.g. the batch "N". */
export type Dim = number | string;

export function valueInfo(name: string, elemType: ElemType, dims: readonly Dim[]): Uint8Array {
  // Dimension: dim_value=1, dim_param=2; TensorShapeProto: dim=1; TypeProto.Tensor: elem_type=1, shape=2.
  const shape = concat(dims.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d))));
  const tensorType = concat([intField(1, elemType), bytesField(2, shape)]);
  // ValueInfoProto: name=1, type=2; TypeProto: tensor_type=1.
  return concat([stringField(1, name), bytesField(2, bytesField(1, tensorType))]);
}

// ------------------------------------------------------------------------ AttributeProto, NodeProto

/** The `type` field (20) is required: runtimes dispatch on it, not on which value field is present. */
export function intAttr(name: string, value: number): Uint8Array {
  return concat([stringField(1, name), intField(3, value), intField(20, AttrType.INT)]);
}

export function intsAttr(name: string, values: readonly number[]): Uint8Array {
  return concat([stringField(1, name), ...values.map((v) => intField(8, v)), intField(20, AttrType.INTS)]);
}

export function floatAttr(name: string, value: number): Uint8Array {
  return concat([stringField(1, name), floatField(2, value), intField(20, AttrType.FLOAT)]);
}

export function stringAttr(name: string, value: string): Uint8Array {
  return concat([stringField(1, name), stringField(4, value), intField(20, AttrType.STRING)]);
}

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** Encoded with intAttr / intsAttr / floatAttr / stringAttr. */
  attributes?: readonly Uint8Array[];
  /** Empty (the default) is the standard ai.onnx domain. */
  domain?: string;
}

export function node(spec: NodeSpec): Uint8Array {
  return concat([
    ...spec.inputs.map((i) => stringField(1, i)),
    ...spec.outputs.map((o) => stringField(2, o)),
    ...(spec.name ? [stringField(3, spec.name)] : []),
    stringField(4, spec.opType),
    ...(spec.attributes ?? []).map((a) => bytesField(5, a)),
    ...(spec.domain ? [stringField(7, spec.domain)] : []),
  ]);
}

// ------------------------------------------------------------------------ GraphProto, ModelProto

export interface GraphSpec {
  name: string;
  /** Encoded NodeProtos, in topological order (ONNX requires it). */
  nodes: readonly Uint8Array[];
  initializers: readonly Uint8Array[];
  inputs: readonly Uint8Array[];
  outputs: readonly Uint8Array[];
  docString?: string;
}

export function graph(spec: GraphSpec): Uint8Array {
  return concat([
    ...spec.nodes.map((n) => bytesField(1, n)),
    stringField(2, spec.name),
    ...spec.initializers.map((t) => bytesField(5, t)),
    ...(spec.docString ? [stringField(10, spec.docString)] : []),
    ...spec.inputs.map((v) => bytesField(11, v)),
    ...spec.outputs.map((v) => bytesField(12, v)),
  ]);
}

export interface ModelSpec {
  irVersion: number;
  /** domain '' is ai.onnx. */
  opsets: readonly { domain: string; version: number }[];
  graph: Uint8Array;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

export function model(spec: ModelSpec): Uint8Array {
  const opset = (o: { domain: string; version: number }) =>
    bytesField(8, concat([...(o.domain ? [stringField(1, o.domain)] : []), intField(2, o.version)]));
  return concat([
    intField(1, spec.irVersion),
    ...(spec.producerName ? [stringField(2, spec.producerName)] : []),
    ...(spec.producerVersion ? [stringField(3, spec.producerVersion)] : []),
    ...(spec.docString ? [stringField(6, spec.docString)] : []),
    bytesField(7, spec.graph),
    ...spec.opsets.map(opset),
    ...Object.entries(spec.metadata ?? {}).map(([k, v]) => bytesField(14, concat([stringField(1, k), stringField(2, v)]))),
  ]);
}
