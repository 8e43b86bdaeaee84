// `heddle call` as a user runs it: the built command (node bin/heddle.js) as a child process,
// against a heddle server, the Go Kitex servers in test/interop and a grpc-js server, checking
// what it prints and the exit status of every kind of failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import * as discovery from '../../src-ts/discovery/index.js';
import * as protobuf from '../../src-ts/protobuf/index.js';
import { createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import * as thrift from '../../src-ts/thrift/index.js';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { useGoServer } from '../rpc/go-peer.js';

const bin = fileURLToPath(new URL('../../bin/heddle.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const interop = (path: string) => fileURLToPath(new URL(`../interop/${path}`, import.meta.url));

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `heddle call ...args` (stdin `input`, or closed) without blocking this process's servers. */
function call(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'call', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input ?? '');
  });
}

const ledgerIdl = fixture('ledger.thrift');
const ledger = thrift.load(ledgerIdl);

describe('heddle call -> heddle server (Thrift)', () => {
  let server: RpcServer;
  let address = '';
  let seenMeta: unknown;
  beforeAll(async () => {
    server = createServer({
      idl: ledger,
      service: 'Ledger',
      log: () => {},
      handlers: {
        post: async ({ entry }: { entry: { id: bigint; amounts?: Map<string, bigint> } }) => {
          if (entry.id === 0n) throw new thrift.Exception('LedgerError', { code: 7, message: 'entry 0 is reserved', entryId: -9223372036854775808n });
          if (entry.id === 1n) throw new Error('handler crashed');
          if (entry.id === 2n) await new Promise((r) => setTimeout(r, 1500));
          // Proves the server saw the exact value, then echoes the entry back.
          return { ...entry, refs: [entry.id - 1n, entry.id] };
        },
        meta: async (_args: unknown, ctx) => {
          seenMeta = { transient: Object.fromEntries(ctx.metainfo.transient()), persistent: Object.fromEntries(ctx.metainfo.persistent()) };
          return 'ok';
        },
        reset: async () => undefined,
      },
    });
    await server.listen('tcp://127.0.0.1:0');
    address = server.address.slice('tcp://'.length);
  });
  afterAll(() => server.close());

  const big = '{"entry":{"id":9223372036854775807,"amounts":{"a":-9007199254740993,"b":1},"blob":"AQID/w==","kind":"DEBIT"}}';
  // The reply as text: 2^63-1, 2^63-2 and -(2^53+1) in digits, which JSON.parse would round.
  const bigReply = [
    '{',
    '  "id": 9223372036854775807,',
    '  "amounts": {',
    '    "a": -9007199254740993,',
    '    "b": 1',
    '  },',
    '  "blob": "AQID/w==",',
    '  "kind": 2,',
    '  "refs": [',
    '    9223372036854775806,',
    '    9223372036854775807',
    '  ]',
    '}',
    '',
  ].join('\n');

  it.each(['ttheader', 'framed', 'buffered'])('prints the reply with int64 exact over %s', async (transport) => {
    const run = await call([address, 'Ledger.post', big, '--idl', ledgerIdl, '--transport', transport]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toBe(bigReply);
  });

  it('reads the request from stdin, -d or -d @file, takes the only parameter alone; a void method prints null', async () => {
    const run = await call([`tcp://${address}`, 'Ledger.post', '--idl', ledgerIdl], '{"id": 42, "refs": []}');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({ id: 42, refs: [41, 42] });
    const dir = mkdtempSync(join(tmpdir(), 'heddle-call-'));
    try {
      writeFileSync(join(dir, 'request.json'), '{"entry": {"id": 9007199254740993}}');
      const fromFile = await call([address, 'Ledger.post', '-d', `@${join(dir, 'request.json')}`, '--idl', ledgerIdl]);
      expect(fromFile.out).toBe('{\n  "id": 9007199254740993,\n  "refs": [\n    9007199254740992,\n    9007199254740993\n  ]\n}\n');
      const inline = await call([address, 'Ledger.post', '--data', '{"id": 7}', '--idl', ledgerIdl]);
      expect(JSON.parse(inline.out)).toEqual({ id: 7, refs: [6, 7] });
      const twice = await call([address, 'Ledger.post', '{}', '-d', '{}', '--idl', ledgerIdl]);
      expect([twice.code, twice.err]).toEqual([2, 'heddle call: give the request once: as the json argument or with -d\n(heddle call --help for usage)\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const voidRun = await call([address, 'Ledger.reset', '--idl', ledgerIdl]);
    expect([voidRun.code, voidRun.out]).toEqual([0, 'null\n']);
  });

  it('sends --meta as transient and --persist as persistent metainfo', async () => {
    const run = await call([address, 'Ledger.meta', '{"what":"x"}', '--idl', ledgerIdl, '--meta', 'trace-tag=t-42', '--persist', 'tenant=acme']);
    expect(run.code).toBe(0);
    expect(run.out).toBe('"ok"\n');
    expect(seenMeta).toEqual({ transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } });
  });

  it('prints a declared exception as JSON on stderr with exit status 3', async () => {
    const run = await call([address, 'Ledger.post', '{"entry":{"id":0}}', '--idl', ledgerIdl]);
    expect(run.code).toBe(3);
    expect(run.out).toBe('');
    expect(run.err).toBe('{\n  "exception": "LedgerError",\n  "value": {\n    "code": 7,\n    "message": "entry 0 is reserved",\n    "entryId": -9223372036854775808\n  }\n}\n');
  });

  it('exits 4 on an application exception, 1 on a timeout and on a refused connection', async () => {
    const crashed = await call([address, 'Ledger.post', '{"entry":{"id":1}}', '--idl', ledgerIdl]);
    expect(crashed.code).toBe(4);
    expect(crashed.err).toMatch(/^heddle call: ERR_REMOTE: .*handler crashed/);
    const slow = await call([address, 'Ledger.post', '{"entry":{"id":2}}', '--idl', ledgerIdl, '--timeout', '200ms']);
    expect(slow.code).toBe(1);
    expect(slow.err).toMatch(/^heddle call: ERR_TIMEOUT: /);
    const refused = await call(['127.0.0.1:1', 'Ledger.reset', '--idl', ledgerIdl]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^heddle call: ERR_CONNECTION: /);
  }, 60_000);

  it('exits 2 without sending on a wrong field, value, method or flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[address, 'Ledger.post', '{"entry":{"id":1,"amount":2}}', '--idl', ledgerIdl], /entry\.amount: struct Entry has no field 'amount'/],
      [[address, 'Ledger.post', '{"entry":{"id":"x"}}', '--idl', ledgerIdl], /entry\.id: expected a 64-bit integer, got "x"/],
      [[address, 'Ledger.post', '{"entry":{"id":1,"kind":"REFUND"}}', '--idl', ledgerIdl], /a value of enum Kind \(CREDIT, DEBIT\)/],
      [[address, 'Ledger.post', '{"entry":', '--idl', ledgerIdl], /request JSON: unexpected end at offset 9/],
      [[address, 'Ledger.nope', '{}', '--idl', ledgerIdl], /service Ledger has no method 'nope' \(methods: post, meta, reset\)/],
      [[address, 'Ledger.post', '{}'], /--idl <file> is required/],
      [[address, 'Ledger.post', '{}', '--idl', ledgerIdl, '--transport', 'http'], /--transport must be one of ttheader, framed, buffered, grpc/],
      [[address, 'Ledger.post', '{}', '--idl', ledgerIdl, '--transport', 'grpc'], /--transport grpc carries Protobuf services/],
    ];
    for (const [args, message] of cases) {
      const run = await call(args);
      expect(run.err, args.join(' ')).toMatch(message);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.out).toBe('');
    }
  }, 60_000);

  it('finds the server through --resolver dns:// and --service-name', async () => {
    const run = await call(['--resolver', 'dns://', '--service-name', address, 'Ledger.post', '{"entry":{"id":5}}', '--idl', ledgerIdl]);
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toEqual({ id: 5, refs: [4, 5] });
  });

  it('prints kitexcall/grpcurl-style help', async () => {
    const run = await call(['--help']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^usage: heddle call \[flags\] <address> <Service\.method> \[json\]\n/);
    for (const flag of ['--idl <file>', '-I, --include <dir>', '--transport <name>', '--meta <k=v>', '--persist <k=v>', "-H, --header <'k: v'>", '--timeout <duration>', '--resolver <url>']) {
      expect(run.out).toContain(flag);
    }
    expect(run.out).toMatch(/\nexamples:\n {2}heddle call /);
  });
});

describe('heddle call --protocol compact -> a heddle server speaking Thrift Compact', () => {
  let server: RpcServer;
  beforeAll(async () => {
    server = createServer({ idl: ledger, service: 'Ledger', protocol: 'compact', log: () => {}, handlers: { post: async ({ entry }: { entry: { id: bigint } }) => ({ id: -entry.id }) } });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('calls in Compact when asked, and a Binary call to it fails as a transport error', async () => {
    const compact = await call([server.address, 'Ledger.post', '{"entry":{"id":-9223372036854775807}}', '--idl', ledgerIdl, '--protocol', 'compact', '--timeout', '1s']);
    expect(compact.err).toBe('');
    expect(compact.out).toBe('{\n  "id": 9223372036854775807\n}\n');
    const binary = await call([server.address, 'Ledger.post', '{"entry":{"id":1}}', '--idl', ledgerIdl, '--timeout', '1s']);
    // The server drops a connection whose messages are not in its protocol.
    expect(binary.code).toBe(1);
    expect(binary.out).toBe('');
    expect(binary.err).toMatch(/^heddle call: ERR_CONNECTION: connection to .* closed with 1 call\(s\) in flight\n$/);
  });
});

describeWithPeers(['etcd'], 'heddle call --resolver etcd:// -> a heddle server registered in etcd', () => {
  let etcd: EtcdServer;
  let registry: discovery.EtcdDiscovery;
  let server: RpcServer;
  beforeAll(async () => {
    etcd = await startEtcd();
    registry = discovery.etcd({ endpoints: [etcd.endpoint] });
    server = createServer({ idl: ledger, service: 'Ledger', registry, serviceName: 'ledger-cli-test', log: () => {}, handlers: { meta: async ({ what }: { what: string }) => `found ${what}` } });
    await server.listen('tcp://127.0.0.1:0');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await registry?.close();
    await etcd?.stop();
  });

  it('resolves the service name to the registered instance, and exits 1 for a name with no instance', async () => {
    const run = await call(['--resolver', `etcd://${etcd.endpoint}`, '--service-name', 'ledger-cli-test', 'Ledger.meta', '{"what":"via etcd"}', '--idl', ledgerIdl]);
    expect(run.err).toBe('');
    expect([run.code, run.out]).toEqual([0, '"found via etcd"\n']);
    const none = await call(['--resolver', `etcd://${etcd.endpoint}`, '--service-name', 'nobody', 'Ledger.meta', '{}', '--idl', ledgerIdl]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^heddle call: ERR_NO_INSTANCE: .*'nobody'/);
  });
});

let kitexEcho = '';
let kitexProtobufEcho = '';
beforeAll(() => {
  if (hasPeers(['go'])) {
    kitexEcho = buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' });
    kitexProtobufEcho = buildGoProgram('kitex-protobuf-echo', { kitexIdl: 'echo.proto' });
  }
}, 600_000);

describeWithPeers(['go'], 'heddle call -> Kitex server (Thrift, kitex-echo)', () => {
  const peer = useGoServer(() => kitexEcho);
  const idl = interop('kitex-echo/echo.thrift');
  const at = () => peer.address.slice('tcp://'.length);

  it.each(['ttheader', 'framed'])('calls echo and inherited ping over %s', async (transport) => {
    const echo = await call([at(), 'EchoService.echo', '{"req":{"action":"echo","msg":"hello kitex, 世界"}}', '--idl', idl, '--transport', transport]);
    expect(echo.err).toBe('');
    expect(JSON.parse(echo.out)).toEqual({ action: 'echo', msg: 'hello kitex, 世界' });
    const ping = await call([at(), 'EchoService.ping', '--idl', idl, '--transport', transport]);
    expect([ping.code, ping.out]).toEqual([0, '"pong"\n']);
  });

  it('prints the Kitex handler\'s declared EchoError, passes metainfo, and times out', async () => {
    const thrown = await call([at(), 'EchoService.echo', '{"req":{"action":"throw","msg":"nope"}}', '--idl', idl]);
    expect(thrown.code).toBe(3);
    expect(JSON.parse(thrown.err)).toEqual({ exception: 'EchoError', value: { code: 7, message: 'nope' } });
    const meta = await call([at(), 'EchoService.echo', '{"req":{"action":"meta","msg":""}}', '--idl', idl, '--meta', 'trace-tag=t-42', '--persist', 'tenant=acme']);
    expect(meta.code).toBe(0);
    expect(JSON.parse((JSON.parse(meta.out) as { msg: string }).msg)).toEqual({ transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } });
    const slow = await call([at(), 'EchoService.echo', '{"req":{"action":"sleep","msg":"800"}}', '--idl', idl, '--timeout', '150ms']);
    expect(slow.code).toBe(1);
    expect(slow.err).toMatch(/ERR_TIMEOUT/);
  });
});

describeWithPeers(['go'], 'heddle call -> Kitex server (Kitex Protobuf, kitex-protobuf-echo)', () => {
  const peer = useGoServer(() => kitexProtobufEcho);
  const idl = interop('kitex-protobuf-echo/echo.proto');

  it.each(['ttheader', 'framed'])('echoes an int64 past 2^53 exactly over %s, an application error and (TTHeader) a business status', async (transport) => {
    const at = peer.address.slice('tcp://'.length);
    const echo = await call([at, 'echo.v1.Echo.Echo', '{"action":"echo","msg":"hi","id":-9007199254740993,"tags":["a","β"]}', '--idl', idl, '--transport', transport]);
    expect(echo.err).toBe('');
    expect(echo.code).toBe(0);
    expect(echo.out).toBe('{\n  "action": "echo",\n  "msg": "hi",\n  "id": -9007199254740993,\n  "tags": [\n    "a",\n    "β"\n  ]\n}\n');
    const failed = await call([at, 'Echo/Echo', '{"action":"fail","msg":"boom"}', '--idl', idl, '--transport', transport]);
    expect(failed.code).toBe(4);
    expect(failed.err).toMatch(/ERR_REMOTE: .*handler failed: boom/);
    // A business status travels in TTHeader only (Framed has no header), as in Kitex.
    if (transport !== 'ttheader') return;
    const biz = await call([at, 'Echo/Echo', '{"action":"biz","msg":"quota spent"}', '--idl', idl, '--transport', transport]);
    expect(biz.code).toBe(4);
    expect(biz.err).toBe('heddle call: ERR_BIZ_STATUS: biz status 1001: quota spent\n');
  });
});

describe('heddle call -> grpc-js server', () => {
  const idl = fixture('stream.proto');
  let server: grpc.Server;
  let address = '';
  beforeAll(async () => {
    const definition = protoLoader.loadSync(idl, { longs: String, keepCase: false, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { calltest: { v1: { Items: { service: grpc.ServiceDefinition } } } };
    server = new grpc.Server();
    server.addService(pkg.calltest.v1.Items.service, {
      get: (call: grpc.ServerUnaryCall<{ id: string; name: string; blob: Buffer; counts: Record<string, string> }, unknown>, done: grpc.sendUnaryData<unknown>) => {
        const item = call.request;
        if (item.name === 'missing') return done({ code: grpc.status.NOT_FOUND, details: `no item ${item.id}` });
        const user = call.metadata.get('x-user')[0] ?? '-';
        done(null, { ...item, name: `${item.name}|user=${String(user)}`, counts: { ...item.counts, next: (BigInt(item.id) + 1n).toString() } });
      },
      list: (call: grpc.ServerWritableStream<{ count: number; firstId: string }, unknown>) => {
        for (let i = 0; i < call.request.count; i++) call.write({ id: (BigInt(call.request.firstId) + BigInt(i)).toString(), name: `item ${i}` });
        call.end();
      },
      sum: (call: grpc.ServerReadableStream<{ id: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
        let total = 0n;
        let count = 0;
        call.on('data', (item: { id: string }) => ((total += BigInt(item.id)), count++));
        call.on('end', () => done(null, { id: total.toString(), name: `${count} items` }));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  it('calls a unary method with int64, bytes, map and metadata exact', async () => {
    const run = await call([address, 'calltest.v1.Items/Get', '{"id":"9223372036854775807","name":"n","blob":"3q2+7w==","counts":{"x":-9007199254740993}}', '--idl', idl, '--transport', 'grpc', '-H', 'x-user: 7']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    // grpc-js saw the values exactly (it adds 1 to id in 64 bits: 2^63-1 wraps to -2^63) and the metadata.
    expect(run.out).toBe(
      ['{', '  "id": 9223372036854775807,', '  "name": "n|user=7",', '  "blob": "3q2+7w==",', '  "counts": {', '    "x": -9007199254740993,', '    "next": -9223372036854775808', '  }', '}', ''].join('\n'),
    );
  });

  it('takes a descriptor set (protoc --descriptor_set_out) as --idl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-call-'));
    try {
      const protoset = join(dir, 'items.protoset');
      writeFileSync(protoset, protobuf.load(idl).toDescriptorSet());
      const run = await call([address, 'calltest.v1.Items/Get', '{"id":1,"name":"set"}', '--idl', protoset, '--transport', 'grpc']);
      expect(run.err).toBe('');
      expect(JSON.parse(run.out)).toMatchObject({ id: 1, name: 'set|user=-' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints each message of a server stream', async () => {
    const run = await call([address, 'Items.List', '{"count":3,"first_id":9007199254740993}', '--idl', idl, '--transport', 'grpc']);
    expect(run.code).toBe(0);
    const ids = [...run.out.matchAll(/"id": (\d+)/g)].map((m) => m[1]);
    expect(ids).toEqual(['9007199254740993', '9007199254740994', '9007199254740995']);
  });

  it('sends a JSON array as a client stream', async () => {
    const run = await call([address, 'Items.Sum', '[{"id":9007199254740993},{"id":"1"},{"id":-2}]', '--idl', idl, '--transport', 'grpc']);
    expect(run.err).toBe('');
    expect(run.out).toBe('{\n  "id": 9007199254740992,\n  "name": "3 items",\n  "blob": "",\n  "counts": {}\n}\n');
    const overKitex = await call([address, 'Items.Sum', '[]', '--idl', idl]);
    expect(overKitex.code).toBe(2);
    expect(overKitex.err).toMatch(/Items\.Sum is a client-streaming method: call it with --transport grpc/);
  });

  it('exits 64 + the gRPC status, grpcurl-style', async () => {
    const run = await call([address, 'calltest.v1.Items/Get', '{"id":12,"name":"missing"}', '--idl', idl, '--transport', 'grpc']);
    expect(run.code).toBe(64 + 5);
    expect(run.err).toBe('ERROR:\n  Code: NOT_FOUND (5)\n  Message: no item 12\n');
    const refused = await call(['127.0.0.1:1', 'calltest.v1.Items/Get', '{}', '--idl', idl, '--transport', 'grpc', '--timeout', '1s']);
    expect(refused.code).toBe(64 + 14);
    expect(refused.err).toMatch(/Code: UNAVAILABLE \(14\)/);
  });
});
