/**
 * The part of the ONNX protobuf schema (onnx/onnx.proto3, IR version 7) an exported encoder
 * needs, with the official field numbers, parsed by protobufjs at load. Messages and fields
 * not listed here are simply never written; readers accept their absence.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  string name = 1;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  string domain = 7;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}

message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7; }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4;
  repeated int32 int32_data = 5;
  repeated int64 int64_data = 7;
  string name = 8;
  string doc_string = 12;
  bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  string denotation = 6;
}
`;

/** ONNX IR version 7 is what opset 13 requires at least. */
export const IR_VERSION = 7;
export const OPSET = 13;

export const DataType = { FLOAT: 1, INT64: 7 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorJson {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeJson {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeJson {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeJson[];
  doc_string?: string;
}

export interface ValueInfoJson {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
  doc_string?: string;
}

export interface ModelJson {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: {
    name: string;
    node: NodeJson[];
    initializer: TensorJson[];
    input: ValueInfoJson[];
    output: ValueInfoJson[];
    doc_string?: string;
  };
  metadata_props: { key: string; value: string }[];
}

let root: protobuf.Root | undefined;

function modelType(): protobuf.Type {
  root ??= protobuf.parse(SCHEMA, { keepCase: true }).root;
  return root.lookupType('onnx.ModelProto');
}

/** Serialises a model to the ONNX binary format. */
export function encodeModel(model: ModelJson): Uint8Array {
  const type = modelType();
  const err = type.verify(model);
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses an ONNX file back (int64 as numbers, bytes as Uint8Array): for tests and inspection. */
export function decodeModel(bytes: Uint8Array): ModelJson {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true, defaults: false }) as ModelJson;
}
