import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Int64 from 'node-int64';
import * as thriftPackage from 'thrift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as compat from '../../../src-ts/adapters/thrift-compat/index.js';
import { HeddleError } from '../../../src-ts/index.js';

// heddle/thrift-compat in one process: the generated-style modules, and a compat client and server
// over loopback, including the bad-input behaviours (wrong types, silent handlers, bad frames).

const SHARED = `
struct SharedStruct { 1: i32 key, 2: string value }
service SharedService { SharedStruct getStruct(1: i32 key) }
`;
const CALC = `
include "shared.thrift"
const i64 BIG = 4611686018427387904
const list<shared.SharedStruct> STRUCTS = [{ "key": 1, "value": "one" }]
enum Operation { ADD = 1, SUBTRACT = 2, DIVIDE = 4 }
struct Work { 1: i32 num1 = 0, 2: i32 num2, 3: Operation op, 4: optional string comment }
struct Strict { 1: required string id }
exception InvalidOperation { 1: i32 whatOp, 2: string why }
service Calculator extends shared.SharedService {
  void ping(),
  i32 add(1: i32 num1, 2: i32 num2),
  i32 calculate(1: i32 logid, 2: Work w) throws (1: InvalidOperation ouch),
  i64 big(1: i64 n),
  oneway void zip()
}
`;
const idl = compat.parse(CALC, { filename: 'calc.thrift', includes: { 'shared.thrift': SHARED } });
const { types } = idl;
const Calculator = idl.services.Calculator!;

describe('generated-style modules', () => {
  it('struct classes start every field at its default or null and take the fields given', () => {
    expect({ ...new types.Work() }).toEqual({ num1: 0, num2: null, op: null, comment: null });
    expect({ ...new types.Work({ num2: 3, op: types.Operation.DIVIDE, comment: null }) }).toEqual({ num1: 0, num2: 3, op: 4, comment: null });
    expect(new types.Work()).toBeInstanceOf(types.Work);
    expect(types.Work.name).toBe('Work');
    expect(() => new types.Strict({})).toThrow('Required field id is unset!');
  });

  it('defaults are made fresh for each instance that keeps them; a given value replaces them', () => {
    const { types: made } = compat.parse('struct D { 1: i64 big = 7, 2: list<i32> xs = [1, 2], 3: i32 n }');
    const a = new made.D();
    const b = new made.D();
    expect(a.big).not.toBe(b.big);
    expect(a.big.toNumber()).toBe(7);
    a.xs.push(3);
    expect(b.xs).toEqual([1, 2]);
    const given = [9];
    const c = new made.D({ xs: given, n: 1 });
    expect(c.xs).toBe(given);
    expect(Object.keys(c)).toEqual(['big', 'xs', 'n']);
  });

  it('enums are objects of numbers; constants are gen-nodejs values', () => {
    expect(types.Operation).toEqual({ ADD: 1, SUBTRACT: 2, DIVIDE: 4 });
    expect(types.BIG).toBeInstanceOf(Int64);
    expect(types.BIG.toOctetString()).toBe('4000000000000000');
    expect(types.STRUCTS).toHaveLength(1);
    expect(types.STRUCTS[0]).toBeInstanceOf(idl.includes.shared!.types.SharedStruct);
    expect({ ...types.STRUCTS[0] }).toEqual({ key: 1, value: 'one' });
  });

  it('exceptions extend TException and Error, with name set', () => {
    const error = new types.InvalidOperation({ whatOp: 4, why: 'no' });
    expect(error).toBeInstanceOf(compat.TException);
    expect(error).toBeInstanceOf(compat.Thrift.TException);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'InvalidOperation', message: 'InvalidOperation', whatOp: 4, why: 'no' });
  });

  it('service modules have Client and Processor; Client has the base service methods too', () => {
    expect(Object.getOwnPropertyNames(Calculator.Client.prototype).sort()).toEqual(['add', 'big', 'calculate', 'constructor', 'getStruct', 'ping', 'zip']);
    expect(idl.Calculator).toBe(Calculator);
    expect(Object.keys(idl.includes.shared!.services)).toEqual(['SharedService']);
    expect(new Calculator.Processor({ ping() {} })._handler).toHaveProperty('ping');
  });

  it('transport and protocol options are recognised by class name, the thrift package\'s included', () => {
    expect(() => compat.createConnection('127.0.0.1', 1, { transport: Object, protocol: thriftPackage.TBinaryProtocol })).toThrow(/transport must be TFramedTransport, TBufferedTransport/);
    expect(() => compat.createConnection('127.0.0.1', 1, { transport: thriftPackage.TFramedTransport, protocol: thriftPackage.TJSONProtocol })).toThrow(/protocol must be TBinaryProtocol or TCompactProtocol/);
  });
});

function listen(server: compat.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function connect(port: number, options: compat.ConnectionOptions = {}): Promise<compat.Connection> {
  const connection = compat.createConnection('127.0.0.1', port, options);
  return new Promise((resolve, reject) => {
    connection.once('connect', () => resolve(connection));
    connection.once('error', reject);
  });
}

const stacks = [
  ['buffered', 'binary', compat.TBufferedTransport, compat.TBinaryProtocol],
  ['framed', 'compact', thriftPackage.TFramedTransport, thriftPackage.TCompactProtocol],
  ['ttheader', 'binary', 'ttheader', compat.TBinaryProtocol],
] as const;

describe.each(stacks)('compat client and server, %s %s', (_t, _p, transport, protocol) => {
  let server: compat.Server;
  let port: number;
  const log: string[] = [];
  beforeAll(async () => {
    server = compat.createServer(Calculator, {
      ping() {},
      add(a: number, b: number) { return a + b; },
      calculate(logid: number, w: { op: number; num1: number; num2: number }, result: (err: unknown, value?: number) => void) {
        if (w.op === types.Operation.DIVIDE) result(new types.InvalidOperation({ whatOp: w.op, why: 'Cannot divide by 0' }));
        else if (w.op === types.Operation.SUBTRACT) result({ name: 'InvalidOperation', whatOp: 2, why: 'recognised by name' });
        else if (logid === 99) result(null, 'not a number' as unknown as number);
        else if (logid === 98) return; // never answers
        else result(new Error('undeclared'));
      },
      big(n: Int64) { return n; },
      getStruct(key: number) { return new (idl.includes.shared!.types.SharedStruct)({ key, value: `v${key}` }); },
      zip() { log.push('zip'); },
    }, { protocol, timeout: 300 });
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers with promises and with callbacks, positional arguments in IDL order', async () => {
    const connection = await connect(port, { transport, protocol });
    const client = compat.createClient(Calculator, connection);
    expect(await client.add(2, 3)).toBe(5);
    expect(await new Promise((resolve, reject) => client.add(20, 22, (err: unknown, sum: number) => (err ? reject(err) : resolve(sum))))).toBe(42);
    expect(await client.ping()).toBeUndefined();
    expect(await client.getStruct(7)).toEqual({ key: 7, value: 'v7' });
    const big = await client.big(new Int64('7fffffffffffff01'));
    expect(big).toBeInstanceOf(Int64);
    expect(big.toOctetString()).toBe('7fffffffffffff01');
    expect((await client.big(-5)).toOctetString()).toBe('fffffffffffffffb');
    expect(await client.zip()).toBeUndefined();
    connection.end();
    await new Promise((resolve) => connection.once('close', resolve));
    // The oneway call went out before the close; the server runs it when it reads it.
    for (let i = 0; i < 100 && !log.includes('zip'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toContain('zip');
  });

  it('declared exceptions arrive as their classes, by instanceof or by name; others as TApplicationException', async () => {
    const connection = await connect(port, { transport, protocol });
    const client = compat.createClient(Calculator, connection);
    const divide = await client.calculate(1, new types.Work({ op: types.Operation.DIVIDE, num1: 1 })).catch((e: unknown) => e);
    expect(divide).toBeInstanceOf(types.InvalidOperation);
    expect(divide).toMatchObject({ name: 'InvalidOperation', whatOp: 4, why: 'Cannot divide by 0' });
    const byName = await client.calculate(1, { op: types.Operation.SUBTRACT }).catch((e: unknown) => e);
    expect(byName).toBeInstanceOf(types.InvalidOperation);
    expect(byName).toMatchObject({ whatOp: 2, why: 'recognised by name' });
    const other = await new Promise((resolve) => client.calculate(1, { op: types.Operation.ADD }, (err: unknown) => resolve(err)));
    expect(other).toBeInstanceOf(compat.TApplicationException);
    expect(other).toMatchObject({ name: 'TApplicationException', type: compat.TApplicationExceptionType.INTERNAL_ERROR, message: 'undeclared' });
    connection.end();
  });

  it('bad input: a wrong-typed argument is an error naming the field, sent nowhere', async () => {
    const connection = await connect(port, { transport, protocol });
    const client = compat.createClient(Calculator, connection);
    const error = await client.add('1', 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeddleError);
    expect(error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'add_args.num1' });
    const nested = await client.calculate(1, { num1: 1.5 }).catch((e: unknown) => e);
    expect(nested).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'calculate_args.w.num1' });
    // A handler's wrong-typed result becomes a TApplicationException naming the field.
    const result = await client.calculate(99, { op: types.Operation.ADD }).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(compat.TApplicationException);
    expect((result as Error).message).toContain('success');
    expect(await client.add(1, 2)).toBe(3);
    connection.end();
  });

  it('bad input: a handler that never answers is cut by the server timeout; a client timeout cuts a call', async () => {
    const connection = await connect(port, { transport, protocol });
    const client = compat.createClient(Calculator, connection);
    const cut = await client.calculate(98, { op: types.Operation.ADD }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(compat.TApplicationException);
    expect((cut as Error).message).toBe('handler calculate did not answer within 300 ms');
    connection.end();
    const impatient = await connect(port, { transport, protocol, timeout: 100 });
    let timeouts = 0;
    impatient.on('timeout', () => timeouts++);
    const early = await compat.createClient(Calculator, impatient).calculate(98, { op: types.Operation.ADD }).catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(timeouts).toBe(1);
    impatient.end();
  });

  it('bad input: malformed frames close that connection only', async () => {
    const connection = await connect(port, { transport, protocol });
    const client = compat.createClient(Calculator, connection);
    const raw = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    // A Framed frame whose message is not Thrift, then a bare message with an absurd name length.
    raw.write(Buffer.from([0, 0, 0, 8, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]));
    await new Promise((resolve) => raw.once('close', resolve));
    expect(raw.destroyed).toBe(true);
    expect(await client.add(4, 5)).toBe(9);
    connection.end();
  });
});

/** A loopback port nothing listens on (it did a moment ago). */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)));
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('connection events and retries', () => {
  it('a refused connection emits error then close; calls fail with ERR_CONNECTION', async () => {
    const port = await closedPort();
    const connection = compat.createConnection('127.0.0.1', port);
    const events: string[] = [];
    connection.on('error', (e: HeddleError) => events.push(`error ${e.code}`));
    const closed = new Promise((resolve) => connection.on('close', () => resolve(events.push('close'))));
    const call = compat.createClient(Calculator, connection).add(1, 2).catch((e: unknown) => e);
    await closed;
    expect(events).toEqual(['error ERR_CONNECTION', 'close']);
    expect(await call).toMatchObject({ code: 'ERR_CONNECTION' });
  });

  it('with max_attempts it reconnects, and calls made while down are sent once connected', async () => {
    const port = await closedPort();
    const connection = compat.createConnection('127.0.0.1', port, { max_attempts: 5, retry_max_delay: 200 });
    let errors = 0;
    connection.on('error', () => errors++);
    const sum = compat.createClient(Calculator, connection).add(40, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const server = compat.createServer(Calculator, { add: (a: number, b: number) => a + b });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
    try {
      expect(await sum).toBe(42);
      expect(errors).toBe(1);
      expect(connection.connected).toBe(true);
    } finally {
      connection.end();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without an error listener a refused connection fails its calls and does not throw', async () => {
    const connection = compat.createConnection('127.0.0.1', await closedPort());
    const failed = await compat.createClient(Calculator, connection).add(1, 2).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'ERR_CONNECTION' });
  });

  it('end() lets calls in flight have their replies, then closes', async () => {
    const server = compat.createServer(Calculator, { add: (a: number, b: number) => new Promise((resolve) => setTimeout(() => resolve(a + b), 50)) });
    const port = await listen(server);
    const connection = await connect(port);
    try {
      const sum = compat.createClient(Calculator, connection).add(1, 2);
      connection.end();
      const closed = new Promise((resolve) => connection.once('close', resolve));
      expect(await sum).toBe(3);
      await closed;
      expect(connection.connected).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives up after max_attempts with close', async () => {
    const port = await closedPort();
    const connection = compat.createConnection('127.0.0.1', port, { max_attempts: 2, retry_max_delay: 50 });
    let errors = 0;
    connection.on('error', () => errors++);
    await new Promise((resolve) => connection.once('close', resolve));
    expect(errors).toBe(2);
  });
});

describe('docs/thrift-compat.md', () => {
  it('its example program runs and prints what the page says', async () => {
    const { runProgram } = await import('./run-programs.js');
    const output = await runProgram('docs-example.js', { THRIFT_LIB: 'heddle', GEN_DIR: '', TRANSPORT: 'framed', PROTOCOL: 'binary', VARIANT: '' });
    expect(output).toBe('1+1 = 2\ntrue InvalidOperation Cannot divide by 0\n');
  });

  it('createServer takes a Processor made from the service module', async () => {
    const server = compat.createServer(new Calculator.Processor({ add: (a: number, b: number) => a * 100 + b }));
    const port = await listen(server);
    const connection = await connect(port);
    try {
      expect(await compat.createClient(Calculator, connection).add(4, 2)).toBe(402);
    } finally {
      connection.end();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Unix sockets', () => {
  it('createUDSConnection reaches a server listening on a path', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'heddle-compat-')), 'calc.sock');
    const server = compat.createServer(Calculator, { add: (a: number, b: number) => a - b }, { protocol: compat.TCompactProtocol });
    await new Promise((resolve) => server.listen(path, () => resolve(undefined)));
    expect(server.address()).toBe(path);
    const connection = compat.createUDSConnection(path, { transport: compat.TFramedTransport, protocol: compat.TCompactProtocol });
    try {
      expect(await compat.createClient(Calculator, connection).add(10, 4)).toBe(6);
    } finally {
      connection.end();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the i64 option of load and parse', () => {
  it.each([
    ['bigint', 4611686018427387904n, 7n],
    ['string', '4611686018427387904', '7'],
    ['number', 2 ** 62, 7],
  ] as const)('i64: %s gives constants and call results in that form', async (i64, big, seven) => {
    const modules = compat.parse(CALC, { filename: 'calc.thrift', includes: { 'shared.thrift': SHARED }, i64 });
    expect(modules.types.BIG).toStrictEqual(big);
    const server = compat.createServer(modules.Calculator, { big: (n: unknown) => n });
    const port = await listen(server);
    const connection = await connect(port);
    try {
      expect(await compat.createClient(modules.Calculator, connection).big(seven)).toStrictEqual(seven);
    } finally {
      connection.end();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses other forms', () => {
    expect(() => compat.parse(CALC, { includes: { 'shared.thrift': SHARED }, i64: 'long' as never })).toThrow(/option i64 must be one of 'node-int64', 'bigint', 'number', 'string'/);
  });
});
