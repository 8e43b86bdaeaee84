// Where protoc rejects a file, heddle rejects it too, at the same file:line:column and with the
// same message. Each case has one error; protoc runs on the same sources as the oracle.
import { describe, expect } from 'vitest';
import { HeddleError, protobuf } from './helpers/heddle.js';
import { protocCompile, protocPeers } from './helpers/protoc.js';
import { itWithPeers } from '../helpers/peers.js';

interface Case {
  name: string;
  main: string;
  /** Other files by import path. */
  imports?: Record<string, string>;
}

const p3 = (body: string): string => `syntax = "proto3";\npackage t;\n${body}\n`;
const p2 = (body: string): string => `syntax = "proto2";\npackage t;\n${body}\n`;
const withDescriptor = (body: string): string => p2(`import "google/protobuf/descriptor.proto";\n${body}`);

const CASES: Case[] = [
  // Tokens and grammar.
  { name: 'missing semicolon', main: p3('message M {\n  int32 x = 1\n  int32 y = 2;\n}') },
  { name: 'unknown syntax', main: 'syntax = "proto4";\n' },
  { name: 'unterminated string', main: p3('option java_package = "abc;\n') },
  { name: 'unterminated block comment', main: p3('/* never ends\nmessage M {}') },
  { name: 'message without a name', main: p3('message {\n}') },
  { name: 'field without a name', main: p3('message M {\n  int32 = 1;\n}') },
  { name: 'field without =', main: p3('message M {\n  int32 x 1;\n}') },
  { name: 'field without number', main: p3('message M {\n  int32 x = ;\n}') },
  { name: 'proto2 field without label', main: p2('message M {\n  int32 x = 1;\n}') },
  { name: 'field number out of int range', main: p3('message M {\n  int32 x = 0x7fffffffff;\n}') },
  { name: 'top-level garbage', main: p3('foo bar;') },
  { name: 'enum value without number', main: p3('enum E {\n  A;\n}') },
  { name: 'rpc without parentheses', main: p3('message A {}\nservice S {\n  rpc M(A) returns A;\n}') },
  { name: 'label on map field', main: p3('message M {\n  repeated map<string, int32> m = 1;\n}') },
  { name: 'map in oneof', main: p3('message M {\n  oneof o {\n    map<string, int32> m = 1;\n  }\n}') },
  { name: 'label in oneof', main: p3('message M {\n  oneof o {\n    repeated int32 x = 1;\n  }\n}') },
  { name: 'two package statements', main: 'syntax = "proto3";\npackage a;\npackage b;\n' },
  { name: 'import of a non-string', main: p3('import foo;') },
  { name: 'bad escape', main: p3('option java_package = "a\\qb";') },
  { name: 'option without a name', main: p3('option = 5;') },
  { name: 'group name not capitalised', main: p2('message M {\n  optional group foo = 1 {\n  }\n}') },
  { name: 'group without body', main: p2('message M {\n  optional group Foo = 1;\n}') },
  { name: 'default set twice', main: p2('message M {\n  optional int32 x = 1 [default = 1, default = 2];\n}') },
  { name: 'json_name on extension', main: p2('message M {\n  extensions 10 to 20;\n}\nextend M {\n  optional int32 x = 10 [json_name = "y"];\n}') },
  { name: 'leading zero not octal', main: p3('message M {\n  int32 x = 08;\n}') },
  { name: 'reserved mixing names and numbers', main: p3('message M {\n  reserved "a", 5;\n}') },
  { name: 'reserved range without end', main: p3('message M {\n  reserved 5 to;\n}') },
  { name: 'end of input inside message', main: p3('message M {\n  int32 x = 1;\n') },
  { name: 'map as extension', main: p2('message M {\n  extensions 10 to 20;\n}\nextend M {\n  map<int32, int32> m = 10;\n}') },
  { name: 'negative default for unsigned', main: p2('message M {\n  optional uint32 x = 1 [default = -1];\n}') },
  { name: 'bool default not true/false', main: p2('message M {\n  optional bool x = 1 [default = 1];\n}') },
  { name: 'string default not a string', main: p2('message M {\n  optional string x = 1 [default = abc];\n}') },
  { name: 'int default -inf', main: p2('message M {\n  optional int32 x = 1 [default = -inf];\n}') },
  { name: 'number followed by identifier', main: p3('message M {\n  int32 x = 1abc;\n}') },
  { name: 'control character', main: p3('message M {\u0001}') },
  { name: 'negative identifier option', main: p2('message M {\n  optional int32 x = 1 [deprecated = -true];\n}') },
  { name: 'default out of int32 range', main: p2('message M {\n  optional int32 x = 1 [default = 2147483648];\n}') },

  // Names and types.
  { name: 'undefined type', main: p3('message M {\n  Foo y = 1;\n}') },
  { name: 'duplicate field number', main: p3('message M {\n  int32 x = 1;\n  int32 y = 1;\n}') },
  { name: 'duplicate field name', main: p3('message M {\n  int32 x = 1;\n  int32 x = 2;\n}') },
  { name: 'duplicate message', main: p3('message M {}\nmessage M {}') },
  { name: 'duplicate top-level name without package', main: 'syntax = "proto3";\nmessage M {}\nenum M { A = 0; }\n' },
  { name: 'name defined in another file', main: p3('import "other.proto";\nmessage M {}'), imports: { 'other.proto': p3('message M {}') } },
  { name: 'field named like a nested type', main: p3('message M {\n  message x {}\n  int32 x = 1;\n}') },
  { name: 'enum values share a scope', main: p3('enum A {\n  X = 0;\n}\nenum B {\n  Y = 0;\n  X = 1;\n}') },
  { name: 'field name is not a type', main: p3('message M {\n  int32 x = 1;\n  x y = 2;\n}') },
  { name: 'partially qualified name binds innermost', main: p3('message Foo {\n  message Bar {}\n}\nmessage M {\n  message Foo {}\n  Foo.Bar b = 1;\n}') },
  { name: 'type from a file not imported', main: p3('import "b.proto";\nmessage M {\n  c.C x = 1;\n}'), imports: { 'b.proto': 'syntax = "proto3";\npackage b;\nimport "c.proto";\n', 'c.proto': 'syntax = "proto3";\npackage c;\nmessage C {}\n' } },
  { name: 'import not found', main: p3('import "nope.proto";\nmessage M {}') },
  { name: 'import listed twice', main: p3('import "a.proto";\nimport "a.proto";'), imports: { 'a.proto': p3('message A {}').replace('package t;', 'package a;') } },
  { name: 'recursive import', main: p3('import "b.proto";'), imports: { 'b.proto': 'syntax = "proto3";\nimport "main.proto";\n' } },
  { name: 'rpc input is an enum', main: p3('enum E { A = 0; }\nmessage R {}\nservice S {\n  rpc M(E) returns (R);\n}') },
  { name: 'extendee is an enum', main: p2('enum E { A = 1; }\nextend E {\n  optional int32 x = 1;\n}') },

  // Numbers and ranges.
  { name: 'field number 0', main: p3('message M {\n  int32 x = 0;\n}') },
  { name: 'field number in the reserved 19000 block', main: p3('message M {\n  int32 x = 19500;\n}') },
  { name: 'field number above the maximum', main: p2('message M {\n  optional int32 x = 536870912;\n}') },
  { name: 'field uses a reserved number', main: p3('message M {\n  reserved 1 to 3;\n  int32 x = 2;\n}') },
  { name: 'field uses a reserved name', main: p3('message M {\n  reserved "x";\n  int32 x = 1;\n}') },
  { name: 'reserved ranges overlap', main: p3('message M {\n  reserved 1 to 5, 4;\n}') },
  { name: 'extension range backwards', main: p2('message M {\n  extensions 10 to 5;\n}') },
  { name: 'extension ranges overlap', main: p2('message M {\n  extensions 10 to 20;\n  extensions 15 to 30;\n}') },
  { name: 'extension range includes a field', main: p2('message M {\n  optional int32 x = 12;\n  extensions 10 to 20;\n}') },
  { name: 'extension range over reserved', main: p2('message M {\n  reserved 12;\n  extensions 10 to 20;\n}') },
  { name: 'extension outside the ranges', main: p2('message M {\n  extensions 10 to 20;\n}\nextend M {\n  optional int32 x = 21;\n}') },
  { name: 'extension number used twice', main: p2('message M {\n  extensions 10 to 20;\n}\nextend M {\n  optional int32 x = 11;\n  optional int32 y = 11;\n}') },
  { name: 'enum value uses reserved number', main: p3('enum E {\n  A = 0;\n  reserved 2 to 4;\n  B = 3;\n}') },
  { name: 'enum value uses reserved name', main: p3('enum E {\n  reserved "B";\n  A = 0;\n  B = 1;\n}') },
  { name: 'empty enum', main: p3('enum E {\n}') },
  { name: 'empty oneof', main: p3('message M {\n  oneof o {\n  }\n}') },

  // proto3 rules.
  { name: 'proto3 first enum value not zero', main: p3('enum E {\n  A = 1;\n}') },
  { name: 'proto3 required', main: p3('message M {\n  required int32 x = 1;\n}') },
  { name: 'proto3 default', main: p3('message M {\n  int32 x = 1 [default = 3];\n}') },
  { name: 'proto3 json name conflict', main: p3('message M {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}') },
  { name: 'proto3 group', main: p3('message M {\n  optional group G = 1 {\n  }\n}') },
  { name: 'proto3 extension range', main: p3('message M {\n  extensions 10 to 20;\n}') },
  { name: 'proto3 extension of a plain message', main: p3('import "base.proto";\nextend t.base.B {\n  int32 x = 10;\n}'), imports: { 'base.proto': 'syntax = "proto2";\npackage t.base;\nmessage B {\n  extensions 10 to 20;\n}\n' } },
  { name: 'proto3 message using a proto2 enum', main: p3('import "e.proto";\nmessage M {\n  t.e.E e = 1;\n}'), imports: { 'e.proto': 'syntax = "proto2";\npackage t.e;\nenum E {\n  A = 0;\n}\n' } },

  // Enums.
  { name: 'alias without allow_alias', main: p3('enum E {\n  A = 0;\n  B = 0;\n}') },
  { name: 'allow_alias without aliases', main: p3('enum E {\n  option allow_alias = true;\n  A = 0;\n  B = 1;\n}') },
  { name: 'enum default not a value', main: p2('enum E { A = 1; }\nmessage M {\n  optional E e = 1 [default = B];\n}') },
  { name: 'message default', main: p2('message N {}\nmessage M {\n  optional N n = 1 [default = X];\n}') },

  // Options.
  { name: 'packed on a singular field', main: p3('message M {\n\tint32 x = 1 [packed = true];\n}') },
  { name: 'packed on strings', main: p3('message M {\n  repeated string s = 1 [packed = true];\n}') },
  { name: 'lazy on a scalar', main: p2('message M {\n  optional int32 x = 1 [lazy = true];\n}') },
  { name: 'jstype on int32', main: p2('message M {\n  optional int32 x = 1 [jstype = JS_STRING];\n}') },
  { name: 'map key float', main: p3('message M {\n  map<float, int32> m = 1;\n}') },
  { name: 'map key enum', main: p3('enum E { A = 0; }\nmessage M {\n  map<E, int32> m = 1;\n}') },
  { name: 'MessageSet with a field', main: p2('message M {\n  option message_set_wire_format = true;\n  optional int32 x = 1;\n  extensions 4 to max;\n}') },
  { name: 'unknown standard option', main: p3('option no_such_option = true;') },
  { name: 'custom option without import', main: p3('message M {\n  string s = 1 [(foo) = 1];\n}') },
  { name: 'bool option given a number', main: p2('message M {\n  optional int32 x = 1 [deprecated = 1];\n}') },
  { name: 'enum option given an unknown value', main: p3('option optimize_for = FASTEST;') },
  { name: 'enum option given a string', main: p2('message M {\n  optional int32 x = 1 [ctype = "CORD"];\n}') },
  { name: 'option set twice', main: p3('option java_package = "a";\noption java_package = "b";') },
  { name: 'int32 custom option out of range', main: withDescriptor('extend google.protobuf.FileOptions {\n  optional int32 level = 50000;\n}\noption (level) = 2147483648;') },
  { name: 'uint32 custom option negative', main: withDescriptor('extend google.protobuf.FileOptions {\n  optional uint32 level = 50000;\n}\noption (level) = -1;') },
  { name: 'string custom option given identifier', main: withDescriptor('extend google.protobuf.FileOptions {\n  optional string owner = 50000;\n}\noption (owner) = edge;') },
  { name: 'sub-field of a scalar option', main: withDescriptor('extend google.protobuf.FileOptions {\n  optional int32 level = 50000;\n}\noption (level).x = 1;') },
  { name: 'message option given a scalar', main: withDescriptor('message R { optional int32 a = 1; }\nextend google.protobuf.FileOptions {\n  optional R rule = 50000;\n}\noption (rule) = 5;') },
  { name: 'option of the wrong options message', main: withDescriptor('extend google.protobuf.MessageOptions {\n  optional int32 level = 50000;\n}\noption (level) = 1;') },
  { name: 'custom option set twice', main: withDescriptor('extend google.protobuf.FileOptions {\n  optional int32 level = 50000;\n}\noption (level) = 1;\noption (level) = 2;') },
];

function heddleError(c: Case): HeddleError | undefined {
  try {
    protobuf.parse(c.main, { filename: 'main.proto', imports: c.imports ?? {} });
    return undefined;
  } catch (error) {
    if (error instanceof HeddleError) return error;
    throw error;
  }
}

/** protoc's first error that has a position, else its first error. */
function protocError(c: Case): { file: string; line?: number; column?: number; message: string } {
  const { errors } = protocCompile({ 'main.proto': c.main, ...c.imports }, 'main.proto');
  expect(errors, 'protoc accepted the file').toBeDefined();
  const lines = errors!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[libprotobuf'));
  const parsed = lines.map((l) => {
    const located = /^([^:]+):(\d+):(\d+): (.*)$/.exec(l);
    if (located) return { file: located[1]!, line: Number(located[2]), column: Number(located[3]), message: located[4]! };
    const bare = /^([^:]+): (.*)$/.exec(l);
    return { file: bare?.[1] ?? '', message: bare?.[2] ?? l };
  });
  return parsed.find((e) => e.line !== undefined) ?? parsed[0]!;
}

describe('heddle rejects what protoc rejects, at the same place', () => {
  for (const c of CASES) {
    itWithPeers(protocPeers(c.main, ...Object.values(c.imports ?? {})), c.name, () => {
      const expected = protocError(c);
      const error = heddleError(c);
      expect(error, 'heddle accepted the file').toBeDefined();
      expect(['ERR_IDL_SYNTAX', 'ERR_UNKNOWN_TYPE']).toContain(error!.code);
      expect({ file: error!.file, line: error!.line, column: error!.column, message: error!.message.replace(/ \([^()]*\)$/, '') })
        .toEqual({ file: expected.file, line: expected.line ?? error!.line, column: expected.column ?? error!.column, message: expected.message });
    });
  }
});
