// Well-known types in `heddle call` take and print ProtoJSON's forms (as grpcurl does): a request
// written that way goes through the real codec and prints back the same.
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src-ts/cli/json-text.js';
import { protobufReply } from '../../src-ts/cli/reply-values.js';
import { protobufMessage } from '../../src-ts/cli/request-values.js';
import * as protobuf from '../../src-ts/protobuf/index.js';

const root = protobuf.parse(
  `syntax = "proto3";
package wk;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/field_mask.proto";
message Event {
  google.protobuf.Timestamp at = 1;
  google.protobuf.Duration took = 2;
  google.protobuf.Int64Value count = 3;
  google.protobuf.StringValue note = 4;
  google.protobuf.Struct attrs = 5;
  google.protobuf.FieldMask mask = 6;
  repeated google.protobuf.Timestamp history = 7;
  map<string, google.protobuf.Duration> waits = 8;
  google.protobuf.BytesValue raw = 9;
}`,
  { filename: 'wk.proto' },
);
const event = root.lookupMessage('wk.Event');
const codec = root.codec('wk.Event');

/** JSON text → request value → wire → decoded → printed JSON text, read back (exactly) for comparing. */
function roundTrip(json: string): unknown {
  return parseJson(stringifyJson(protobufReply(event, codec.decode(codec.encode(protobufMessage(event, parseJson(json), '')))), 0));
}
const empty = { history: [], waits: {} };

describe('well-known types in heddle call', () => {
  it('take and print Timestamp, Duration, wrappers, Struct, FieldMask, in lists and maps', () => {
    const json =
      '{"at":"2024-02-29T23:59:59.123456789Z","took":"-1.500s","count":9223372036854775807,"note":"hi","attrs":{"a":1.5,"b":[true,null,"x"],"c":{"d":"e"}},' +
      '"mask":"a.b,c","history":["1970-01-01T00:00:00Z","1969-12-31T23:59:59.100Z"],"waits":{"x":"3s"},"raw":"AAE="}';
    expect(roundTrip(json)).toEqual(parseJson(json));
  });

  it('reads offsets into UTC and keeps the plain message form working', () => {
    expect(roundTrip('{"at":"2024-01-01T08:00:00+08:00"}')).toEqual({ ...empty, at: '2024-01-01T00:00:00Z' });
    expect(roundTrip('{"at":{"seconds":1,"nanos":5000000},"took":{"seconds":2}}')).toEqual({ ...empty, at: '1970-01-01T00:00:01.005Z', took: '2s' });
    const decoded = codec.decode(codec.encode(protobufMessage(event, parseJson('{"took":"0.000001s"}'), ''))) as { took: { seconds: bigint; nanos: number } };
    expect(decoded.took).toEqual({ seconds: 0n, nanos: 1000 });
  });

  it('refuses malformed forms with the field path', () => {
    expect(() => protobufMessage(event, parseJson('{"at":"yesterday"}'), '')).toThrow('request at: expected an RFC 3339 timestamp (2024-01-02T03:04:05.5Z), got "yesterday"');
    expect(() => protobufMessage(event, parseJson('{"took":"5m"}'), '')).toThrow('request took: expected a duration in seconds (1.5s), got "5m"');
    expect(() => protobufMessage(event, parseJson('{"count":"x"}'), '')).toThrow('request count.value: expected a 64-bit integer, got "x"');
  });
});
