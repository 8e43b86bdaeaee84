// heddle/thrift-compat end to end: ThriftTest-shaped calls (testStruct with an Xtruct, testInsanity)
// from a compat client to a compat server, against the `thrift` package client and server with
// `thrift --gen js:node,es6` code, on the same transport and protocol. Server in its own process,
// client here; one connection, 100 calls in flight. Rows give QPS; ratio = heddle QPS / thrift QPS.
//   node bench/thrift/compat-rpc.mjs [framed|buffered] [binary|compact]    (HEDDLE_BENCH_QUICK=1: shorter)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { drive, startProcess } from '../rpc/processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const idl = join(here, '..', '..', 'test', 'adapters', 'thrift-compat', 'idl', 'ThriftTest.thrift');
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const CONCURRENCY = 100;

/** Client-side calls of one library: a connection and the two call shapes. */
function clientOf(lib, genDir, address, transport, protocol) {
  const Int64 = require('node-int64');
  const thrift = lib === 'heddle' ? require('../../dist/adapters/thrift-compat/index.js') : require('thrift');
  const ThriftTest = lib === 'heddle' ? thrift.load(idl).ThriftTest : createRequire(join(genDir, 'x.js'))('./ThriftTest.js');
  const ttypes = lib === 'heddle' ? thrift.load(idl).types : createRequire(join(genDir, 'x.js'))('./ThriftTest_types.js');
  const port = Number(address.split(':').pop());
  const connection = thrift.createConnection('127.0.0.1', port, {
    transport: transport === 'framed' ? thrift.TFramedTransport : thrift.TBufferedTransport,
    protocol: protocol === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
  });
  connection.on('error', () => {});
  const client = thrift.createClient(ThriftTest, connection);
  const xtruct = new ttypes.Xtruct({ string_thing: 'a string of some forty characters, 中文 too', byte_thing: 1, i32_thing: -3, i64_thing: new Int64(-5) });
  const insanity = new ttypes.Insanity({ userMap: { 5: new Int64(5), 8: new Int64(8) }, xtructs: Array.from({ length: 8 }, () => xtruct) });
  return {
    ready: new Promise((resolve) => connection.once('connect', resolve)),
    struct: () => client.testStruct(xtruct),
    insanity: () => client.testInsanity(insanity),
    close: () => connection.end(),
  };
}

/** Measures both libraries on `transport`/`protocol`; returns rows. */
export async function measureCompatRpc(transport = 'framed', protocol = 'binary') {
  const genDir = mkdtempSync(join(tmpdir(), 'heddle-bench-compat-'));
  execFileSync('thrift', ['--gen', 'js:node,es6', '-out', genDir, idl]);
  // The generated code requires 'thrift': let it resolve from this checkout.
  symlinkSync(join(here, '..', '..', 'node_modules'), join(genDir, 'node_modules'));
  const rows = [];
  try {
    for (const call of ['struct', 'insanity']) {
      const qps = {};
      // Alternate the libraries twice, so drift on a shared machine hits both.
      for (const lib of ['thrift', 'heddle', 'thrift', 'heddle']) {
        const server = await startProcess(process.execPath, [join(here, 'compat-server-process.mjs'), lib, transport, protocol, genDir], /READY (\S+)/, `${lib} server`);
        const client = clientOf(lib, genDir, server.address, transport, protocol);
        await client.ready;
        const result = await drive(client[call], CONCURRENCY, quick ? 1000 : 3000, quick ? 300 : 1000);
        client.close();
        await server.stop();
        (qps[lib] ??= []).push(result.qps);
      }
      const best = (lib) => Math.max(...qps[lib]);
      rows.push({ call, transport, protocol, heddle: best('heddle'), thrift: best('thrift'), ratio: best('heddle') / best('thrift') });
    }
  } finally {
    rmSync(genDir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [transport = 'framed', protocol = 'binary'] = process.argv.slice(2);
  for (const row of await measureCompatRpc(transport, protocol)) {
    console.log(`${row.call.padEnd(9)} ${row.transport}/${row.protocol}  heddle/thrift-compat ${Math.round(row.heddle)} QPS  thrift ${Math.round(row.thrift)} QPS  ratio ${row.ratio.toFixed(2)}x`);
  }
}
