// A ThriftTest-shaped server for bench/thrift/compat-rpc.mjs, in its own process:
//   node compat-server-process.mjs thrift|heddle framed|buffered binary|compact [genDir]
// thrift: the `thrift` package with `thrift --gen js:node,es6` code from genDir; heddle: the same
// handlers through heddle/thrift-compat. Prints "READY tcp://127.0.0.1:port"; exits when stdin closes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [lib, transport, protocol, genDir] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const thriftTestIdl = join(here, '..', '..', 'test', 'adapters', 'thrift-compat', 'idl', 'ThriftTest.thrift');

const heddle = lib === 'heddle';
const thrift = heddle ? require('../../dist/adapters/thrift-compat/index.js') : require('thrift');
const ThriftTest = heddle ? thrift.load(thriftTestIdl).ThriftTest : createRequire(join(genDir, 'x.js'))('./ThriftTest.js');

const server = thrift.createServer(ThriftTest, {
  testString: (thing) => thing,
  testStruct: (thing) => thing,
  testInsanity: (argument) => ({ 1: { 2: argument, 3: argument } }),
}, {
  transport: transport === 'framed' ? thrift.TFramedTransport : thrift.TBufferedTransport,
  protocol: protocol === 'compact' ? thrift.TCompactProtocol : thrift.TBinaryProtocol,
});
server.listen(0, '127.0.0.1', () => console.log(`READY tcp://127.0.0.1:${server.address().port}`));
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
