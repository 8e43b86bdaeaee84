import fc from 'fast-check';
import thrift from 'thrift';

// Random Thrift Binary and Compact messages, encoded by the Apache Thrift npm package: an
// independent peer for the PurePayload skip scans and the framing tests.

const { Type, MessageType } = thrift.Thrift;

export type Shape =
  | { t: 'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'string' }
  | { t: 'struct'; fields: Array<{ id: number; shape: Shape }> }
  | { t: 'list' | 'set'; elem: Shape }
  | { t: 'map'; key: Shape; value: Shape };

type Value = unknown;

const scalar: fc.Arbitrary<Shape> = fc.constantFrom('bool', 'byte', 'i16', 'i32', 'i64', 'double', 'string').map((t) => ({ t }) as Shape);

const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar,
    fc.record({ t: fc.constant('struct' as const), fields: fc.uniqueArray(fc.record({ id: fc.integer({ min: -5, max: 300 }), shape: tie('shape') }), { selector: (f) => f.id, maxLength: 4 }) }),
    fc.record({ t: fc.constantFrom('list' as const, 'set' as const), elem: tie('shape') }),
    fc.record({ t: fc.constant('map' as const), key: tie('shape'), value: tie('shape') }),
  ),
})).shape;

function valueOf(shape: Shape): fc.Arbitrary<Value> {
  switch (shape.t) {
    case 'bool':
      return fc.boolean();
    case 'byte':
      return fc.integer({ min: -128, max: 127 });
    case 'i16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'i32':
      return fc.integer();
    case 'i64':
      return fc.integer();
    case 'double':
      return fc.double({ noNaN: true });
    case 'string':
      return fc.string({ maxLength: 40 });
    case 'struct':
      return fc.tuple(...shape.fields.map((f) => valueOf(f.shape)));
    case 'list':
    case 'set':
      return fc.array(valueOf(shape.elem), { maxLength: 4 });
    case 'map':
      return fc.array(fc.tuple(valueOf(shape.key), valueOf(shape.value)), { maxLength: 3 });
  }
}

function typeId(shape: Shape): number {
  const ids: Record<Shape['t'], number> = {
    bool: Type.BOOL, byte: Type.BYTE, i16: Type.I16, i32: Type.I32, i64: Type.I64, double: Type.DOUBLE,
    string: Type.STRING, struct: Type.STRUCT, list: Type.LIST, set: Type.SET, map: Type.MAP,
  };
  return ids[shape.t];
}

// The thrift package's protocol classes are untyped; only the methods used here are named.
interface Protocol {
  [method: string]: (...args: never[]) => void;
}

function write(p: Protocol, shape: Shape, value: Value): void {
  const call = (method: string, ...args: unknown[]): void => (p[method] as (...a: unknown[]) => void)(...args);
  switch (shape.t) {
    case 'bool': return call('writeBool', value);
    case 'byte': return call('writeByte', value);
    case 'i16': return call('writeI16', value);
    case 'i32': return call('writeI32', value);
    case 'i64': return call('writeI64', value);
    case 'double': return call('writeDouble', value);
    case 'string': return call('writeString', value);
    case 'struct': {
      call('writeStructBegin', 's');
      shape.fields.forEach((field, i) => {
        call('writeFieldBegin', 'f', typeId(field.shape), field.id);
        write(p, field.shape, (value as Value[])[i]);
        call('writeFieldEnd');
      });
      call('writeFieldStop');
      return call('writeStructEnd');
    }
    case 'list':
    case 'set': {
      const items = value as Value[];
      call(shape.t === 'list' ? 'writeListBegin' : 'writeSetBegin', typeId(shape.elem), items.length);
      for (const item of items) write(p, shape.elem, item);
      return call(shape.t === 'list' ? 'writeListEnd' : 'writeSetEnd');
    }
    case 'map': {
      const entries = value as Array<[Value, Value]>;
      call('writeMapBegin', typeId(shape.key), typeId(shape.value), entries.length);
      for (const [k, v] of entries) {
        write(p, shape.key, k);
        write(p, shape.value, v);
      }
      return call('writeMapEnd');
    }
  }
}

/** A Thrift Binary message (strict header), or a Compact one, whose body is `body` of `shape`, as
 * Apache Thrift writes it. */
export function thriftMessage(
  name: string,
  seqId: number,
  shape: Shape & { t: 'struct' },
  body: Value,
  type = MessageType.CALL,
  protocolName: 'binary' | 'compact' = 'binary',
): Buffer {
  let out: Buffer | undefined;
  const transport = new thrift.TBufferedTransport(undefined, (bytes: Buffer) => {
    out = out === undefined ? Buffer.from(bytes) : Buffer.concat([out, bytes]);
  });
  const protocol = new (protocolName === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol)(transport) as unknown as Protocol;
  (protocol.writeMessageBegin as (...a: unknown[]) => void)(name, type, seqId);
  write(protocol, shape, body);
  (protocol.writeMessageEnd as () => void)();
  transport.flush();
  return out as Buffer;
}

/** Random messages of `protocol` written by Apache Thrift. */
export function thriftMessagesOf(protocol: 'binary' | 'compact'): fc.Arbitrary<Buffer> {
  return shapeArb
    .map((shape): Shape & { t: 'struct' } => (shape.t === 'struct' ? shape : { t: 'struct', fields: [{ id: 1, shape }] }))
    .chain((shape) => fc.tuple(fc.constant(shape), valueOf(shape), fc.string({ maxLength: 12 }), fc.integer(), fc.integer({ min: 1, max: 4 })))
    .map(([shape, body, name, seqId, type]) => thriftMessage(name, seqId, shape, body, protocol === 'compact' ? type : MessageType.CALL, protocol));
}

/** Random Thrift Binary messages written by Apache Thrift. */
export const thriftMessageArb: fc.Arbitrary<Buffer> = thriftMessagesOf('binary');

/** Random Thrift Compact messages written by Apache Thrift. */
export const thriftCompactMessageArb: fc.Arbitrary<Buffer> = thriftMessagesOf('compact');

/** A small fixed message: `echo(1: string msg)`. */
export function echoCall(message: string, seqId = 1): Buffer {
  return thriftMessage('echo', seqId, { t: 'struct', fields: [{ id: 1, shape: { t: 'string' } }] }, [message]);
}
