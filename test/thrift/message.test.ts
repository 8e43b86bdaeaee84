import { describe, expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import * as thrift from '../../src-ts/thrift/index.js';

const doc = thrift.parse(
  `
  exception EchoError { 1: i32 code, 2: string message }
  exception Busy { 1: i64 retryAfterMs }
  struct Req { 1: string text, 2: optional i32 times }
  service Base {
    string ping()
    oneway void fire(1: string what)
  }
  service EchoService extends Base {
    Req echo(1: Req req, 2: i32 seq) throws (1: EchoError err, 5: Busy busy)
    void nothing()
  }
  `,
  { filename: 'echo.thrift' },
);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('envelopes', () => {
  test('binary strict header: 0x8001 0000|type, name, seqId', () => {
    const method = doc.service('EchoService').method('echo');
    const bytes = method.encodeCall({ req: { text: 'a' }, seq: 1 }, 7);
    expect(hex(bytes.subarray(0, 16))).toBe('80010001' + '00000004' + hex(Buffer.from('echo')) + '00000007');
    expect(thrift.decodeMessageHeader(bytes)).toEqual({ name: 'echo', type: 1, seqId: 7, bodyOffset: 16 });
    expect(method.decodeCall(bytes).args).toStrictEqual({ req: { text: 'a' }, seq: 1 });
  });

  test('compact header: 0x82, version | type << 5, varint seqId, name', () => {
    const method = doc.service('EchoService', { protocol: 'compact' }).method('echo');
    const bytes = method.encodeCall({ req: { text: 'a' }, seq: 1 }, 300);
    expect(hex(bytes.subarray(0, 9))).toBe('82' + '21' + 'ac02' + '04' + hex(Buffer.from('echo')));
    expect(thrift.decodeMessageHeader(bytes, 'compact')).toEqual({ name: 'echo', type: 1, seqId: 300, bodyOffset: 9 });
    expect(method.decodeCall(bytes).args).toStrictEqual({ req: { text: 'a' }, seq: 1 });
  });

  test('negative seqIds survive both protocols', () => {
    for (const protocol of ['binary', 'compact'] as const) {
      const method = doc.service('EchoService', { protocol }).method('nothing');
      const bytes = method.encodeReply(method.success(), -5);
      expect(thrift.decodeMessageHeader(bytes, protocol).seqId).toBe(-5);
    }
  });

  test('binary non-strict (old) header is read', () => {
    const body = doc.service('EchoService').method('nothing').result.encode({});
    const old = Uint8Array.from([0, 0, 0, 7, ...Buffer.from('nothing'), 2, 0, 0, 0, 9, ...body]);
    expect(thrift.decodeMessageHeader(old)).toEqual({ name: 'nothing', type: 2, seqId: 9, bodyOffset: 16 });
  });

  test('bad headers are HeddleErrors', () => {
    expect(thrown(() => thrift.decodeMessageHeader(Uint8Array.of(0x80, 0x02, 0, 1)))).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 0 });
    expect(thrown(() => thrift.decodeMessageHeader(Uint8Array.of(0x80, 0x01, 0, 9)))).toMatchObject({ code: 'ERR_BAD_VALUE' });
    expect(thrown(() => thrift.decodeMessageHeader(Uint8Array.of(0x80, 0x01, 0)))).toMatchObject({ code: 'ERR_TRUNCATED' });
    expect(thrown(() => thrift.decodeMessageHeader(Uint8Array.of(0x81, 0x21), 'compact'))).toMatchObject({ code: 'ERR_BAD_VALUE' });
    expect(thrown(() => thrift.decodeMessageHeader(Uint8Array.of(0x82, 0x21, 1, 100, 0x61), 'compact'))).toMatchObject({
      code: 'ERR_SIZE_LIMIT',
    });
  });
});

describe('services', () => {
  const service = doc.service('EchoService');

  test('inherited methods come through extends', () => {
    expect(service.methodNames).toEqual(['ping', 'fire', 'echo', 'nothing']);
    expect(service.method('fire').oneway).toBe(true);
    expect(service.method('ping').declaredIn.name).toBe('Base');
    expect((thrown(() => service.method('nope')) as HeddleError).code).toBe('ERR_UNKNOWN_TYPE');
  });

  test('oneway calls use message type ONEWAY', () => {
    const bytes = service.method('fire').encodeCall({ what: 'x' }, 1);
    expect(thrift.decodeMessageHeader(bytes).type).toBe(thrift.MessageType.ONEWAY);
  });

  test('result struct: success is field 0, exceptions keep their ids', () => {
    const echo = service.method('echo');
    expect(echo.resultStruct.fields.map((f) => [f.id, f.name])).toEqual([[0, 'success'], [1, 'err'], [5, 'busy']]);
    expect(hex(echo.result.encode({ success: { text: 'x' } }))).toBe('0c0000' + '0b000100000001' + '78' + '00' + '00');
    expect(hex(echo.result.encode({ busy: { retryAfterMs: 1n } }))).toBe('0c0005' + '0a0001' + '0000000000000001' + '00' + '00');
  });

  test('success, declared exceptions and unwrap', () => {
    const echo = service.method('echo');
    const reply = echo.encodeReply(echo.success({ text: 'back' }), 3);
    const { header, result } = echo.decodeReply(reply);
    expect(header).toMatchObject({ name: 'echo', type: 2, seqId: 3 });
    expect(echo.unwrap(result)).toStrictEqual({ text: 'back' });

    const error = new thrift.Exception('EchoError', { code: 7, message: 'nope' });
    expect(error.type).toBe('EchoError');
    expect(error.value).toEqual({ code: 7, message: 'nope' });
    const failed = echo.failure(error)!;
    expect(failed).toEqual({ err: { code: 7, message: 'nope' } });
    const back = thrown(() => echo.unwrap(echo.decodeReply(echo.encodeReply(failed, 4)).result));
    expect(back).toBeInstanceOf(thrift.Exception);
    expect(back).toMatchObject({ type: 'EchoError', value: { code: 7, message: 'nope' } });
    expect(echo.failure(new thrift.Exception('echo.Busy', { retryAfterMs: 5n }))).toEqual({ busy: { retryAfterMs: 5n } });
    expect(echo.failure(new thrift.Exception('Other', {}))).toBeUndefined();
    expect(echo.failure(new Error('plain'))).toBeUndefined();
  });

  test('void methods: empty result; missing result of a non-void method is MISSING_RESULT', () => {
    expect(service.method('nothing').unwrap({})).toBeUndefined();
    const missing = thrown(() => service.method('echo').unwrap({}));
    expect(missing).toMatchObject({ code: 'ERR_REMOTE', remote: { type: 5, typeName: 'MISSING_RESULT' } });
  });

  test('a TApplicationException reply becomes ERR_REMOTE with the remote type and message', () => {
    for (const protocol of ['binary', 'compact'] as const) {
      const method = doc.service('EchoService', { protocol }).method('echo');
      const bytes = thrift.encodeApplicationException('echo', 9, { type: thrift.ApplicationExceptionType.UNKNOWN_METHOD, message: 'no echo' }, protocol);
      expect(thrift.decodeMessageHeader(bytes, protocol)).toMatchObject({ name: 'echo', type: 3, seqId: 9 });
      const error = thrown(() => method.decodeReply(bytes)) as thrift.RemoteError;
      expect(error).toBeInstanceOf(HeddleError);
      expect(error.code).toBe('ERR_REMOTE');
      expect(error.remote).toEqual({ type: 1, typeName: 'UNKNOWN_METHOD', message: 'no echo' });
      expect(error.message).toContain('no echo');
    }
  });

  test('TApplicationException bytes match Apache field numbering (message 1, type 2)', () => {
    const bytes = thrift.applicationExceptionCodec('binary').encode({ message: 'm', type: 6 });
    expect(hex(bytes)).toBe('0b0001000000016d' + '08000200000006' + '00');
  });
});
