// Builds each peer's codec for a message from the same .proto source, and converts heddle-shaped
// values into each peer's own representation once, outside the timed loops.
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { PbfReader, PbfWriter } from 'pbf';
import { compile } from 'pbf/compile';
import protobufjs from 'protobufjs';
import schema from 'protocol-buffers-schema';

/**
 * protobufjs reflection (it generates its encoder/decoder per type internally). `resolveAll`
 * applies proto3's packed default, which protobufjs 7.6 leaves out of types it has not resolved.
 * Decoding reads `wire` (the same bytes every peer decodes) as a Buffer, protobufjs's fast path.
 */
export function protobufjsPeer(source, typeName, value, wire) {
  const type = protobufjsType(source, typeName);
  const message = type.fromObject(toProtobufjs(value));
  const input = Buffer.from(wire.buffer, wire.byteOffset, wire.length);
  return {
    encode: () => type.encode(message).finish(),
    decode: () => type.decode(input),
    bytes: type.encode(message).finish(),
  };
}

/** @bufbuild/protobuf with a registry built from the FileDescriptorSet of the schema; `desc` is the message's descriptor. */
export function bufbuildPeer(descriptorSet, typeName, value, wire) {
  const desc = bufbuildDescriptor(descriptorSet, typeName);
  const message = create(desc, toBufbuild(value));
  return { desc, encode: () => toBinary(desc, message), decode: () => fromBinary(desc, wire), bytes: toBinary(desc, message) };
}

/**
 * pbf with code compiled from the schema. pbf reads and writes .proto field names and int64 as
 * JS numbers, so `value` is given in that shape (heddle's keepCase + int64 'number' decode).
 */
export function pbfPeer(source, typeName, plain, wire) {
  const { read, write } = pbfCode(source, typeName);
  const pbf = new PbfWriter();
  write(plain, pbf);
  return {
    encode: () => {
      const out = new PbfWriter();
      write(plain, out);
      return out.finish();
    },
    decode: () => read(new PbfReader(wire)),
    bytes: pbf.finish(),
  };
}

function mapValues(value, fn) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return Array.from(value, (v) => fn(v));
  if (Array.isArray(value)) return value.map((v) => mapValues(v, fn));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapValues(v, fn)]));
  return fn(value);
}

/** protobufjs takes int64 as strings in fromObject (and keeps them as Long). */
const toProtobufjs = (value) => mapValues(value, (v) => (typeof v === 'bigint' ? v.toString() : v));
/** bufbuild takes bigint, and plain arrays for repeated fields. */
const toBufbuild = (value) => mapValues(value, (v) => v);

/**
 * Decoders over a list of encoded messages for protobufjs, @bufbuild/protobuf and pbf: each call
 * decodes the next message, round the list, as heddle's row does.
 */
export function rotatingPeerDecoders(source, descriptorSet, typeName, wires) {
  const count = wires.length;
  const type = protobufjsType(source, typeName);
  const buffers = wires.map((w) => Buffer.from(w.buffer, w.byteOffset, w.length));
  const desc = bufbuildDescriptor(descriptorSet, typeName);
  const { read } = pbfCode(source, typeName);
  let a = 0;
  let b = 0;
  let c = 0;
  return {
    protobufjs: () => type.decode(buffers[a++ % count]),
    '@bufbuild/protobuf': () => fromBinary(desc, wires[b++ % count]),
    pbf: () => read(new PbfReader(wires[c++ % count])),
  };
}

/** protobufjs's reflected type, with proto3's packed default applied (see protobufjsPeer). */
export function protobufjsType(source, typeName) {
  const root = protobufjs.parse(source, { keepCase: false }).root;
  root.resolveAll();
  return root.lookupType(typeName);
}

/** @bufbuild's descriptor of one message, from a FileDescriptorSet. */
export function bufbuildDescriptor(descriptorSet, typeName) {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet)).getMessage(typeName);
}

/** pbf's compiled reader and writer of one message. */
export function pbfCode(source, typeName) {
  const compiled = compile(schema.parse(source));
  const name = typeName.split('.').pop();
  return { read: compiled[`read${name}`], write: compiled[`write${name}`] };
}
