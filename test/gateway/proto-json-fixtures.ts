// A schema with every well-known type and the edge-prone field kinds, compiled by heddle and
// handed to @bufbuild/protobuf through heddle's descriptor set, for the ProtoJSON case tests.
import { createFileRegistry, fromBinary, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { protobuf } from '../protobuf/helpers/heddle.js';

export const WKT_PROTO = `syntax = "proto3";
package pj;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }

message Inner { string name = 1; repeated int64 ids = 2; Inner child = 3; }

message Edge {
  int32 i32 = 1; int64 i64 = 2; uint32 u32 = 3; uint64 u64 = 4; sint32 s32 = 5; sint64 s64 = 6;
  fixed32 f32 = 7; fixed64 f64 = 8; sfixed32 sf32 = 9; sfixed64 sf64 = 10;
  float fl = 11; double db = 12; bool flag = 13; string text = 14; bytes data = 15; Color color = 16;
  repeated int64 ids = 17; repeated Color colors = 18; repeated string tags = 19; repeated Inner items = 20;
  map<string, Inner> by_name = 21; map<int64, string> by_id = 22; map<bool, int32> by_flag = 23; map<uint32, Color> by_num = 24;
  optional int32 maybe = 25; Inner inner = 26;
  oneof pick { string pick_text = 27; Inner pick_inner = 28; Color pick_color = 29; }
  google.protobuf.Timestamp ts = 30; google.protobuf.Duration dur = 31; google.protobuf.FieldMask mask = 32;
  google.protobuf.Struct st = 33; google.protobuf.Value val = 34; google.protobuf.ListValue list = 35;
  google.protobuf.Any any = 36; google.protobuf.Empty empty = 37; google.protobuf.NullValue nul = 38;
  google.protobuf.DoubleValue w_double = 39; google.protobuf.FloatValue w_float = 40; google.protobuf.Int64Value w_int64 = 41;
  google.protobuf.UInt64Value w_uint64 = 42; google.protobuf.Int32Value w_int32 = 43; google.protobuf.UInt32Value w_uint32 = 44;
  google.protobuf.BoolValue w_bool = 45; google.protobuf.StringValue w_string = 46; google.protobuf.BytesValue w_bytes = 47;
  repeated google.protobuf.Value vals = 48; map<string, google.protobuf.Value> val_map = 49;
  string json_named = 50 [json_name = "customName"];
}
`;

export const PROTO2 = `syntax = "proto2";
package pj2;
enum Closed { A = 1; B = 2; }
message Req { required int32 id = 1; optional Closed c = 2; repeated Closed cs = 3; optional string s = 4 [default = "x"]; optional group G = 5 { optional int32 g = 6; } }
`;

export interface Peers {
  root: ReturnType<typeof protobuf.parse>;
  registry: Registry;
  edge: DescMessage;
}

export function compileEdge(): Peers {
  const root = protobuf.parse(WKT_PROTO, { filename: 'pj.proto' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
  return { root, registry, edge: registry.getMessage('pj.Edge')! };
}

export function compileProto2(): { root: ReturnType<typeof protobuf.parse>; registry: Registry; req: DescMessage } {
  const root = protobuf.parse(PROTO2, { filename: 'pj2.proto' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
  return { root, registry, req: registry.getMessage('pj2.Req')! };
}
