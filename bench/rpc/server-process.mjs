// One RPC server in its own process, so the benchmark's client and server never share an event
// loop: `node server-process.mjs <kind> <address>` prints "READY <bound address>" and exits when
// its stdin closes. Kinds: heddle-native, heddle-net, heddle-shm, heddle-kitex-protobuf, thrift-framed,
// thrift-buffered, grpc.
// `node server-process.mjs heddle-native <address> <micros>` serves with busy polling.
import { readFileSync } from 'node:fs';
import { echoProto, echoThrift, startGrpcServer, startThriftServer } from './peers.mjs';

const [kind, address, busyPollArg] = process.argv.slice(2);
// heddle servers only: microseconds to keep polling after each reply (ServerOptions.busyPollMicros).
const busyPollMicros = Number(busyPollArg ?? 0);
let bound;
// heddle-shm serves RPC over shmipc shared memory (`address` is the shm:// control socket); the
// other two over a socket, on the native or the net I/O path.
const ioOf = { 'heddle-shm': undefined, 'heddle-native': 'native', 'heddle-net': 'net' };
if (kind in ioOf) {
  const { default: heddle } = await import('../../dist/index.js');
  const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  const server = heddle.rpc.createServer({
    idl: doc,
    service: 'EchoService',
    io: ioOf[kind],
    busyPollMicros,
    handlers: { echo: async ({ req }) => ({ action: req.action, msg: req.msg }), ping: async () => 'pong' },
  });
  await server.listen(address);
  bound = server.address;
} else if (kind === 'heddle-kitex-protobuf') {
  // The same echo as a Protobuf service, over Kitex Protobuf, on the default I/O path.
  const { default: heddle } = await import('../../dist/index.js');
  const root = heddle.protobuf.parse(readFileSync(echoProto, 'utf8'), { filename: 'echo.proto' });
  const server = heddle.rpc.createServer({ idl: root, service: 'echo.EchoService', busyPollMicros, handlers: { Echo: async (req) => req } });
  await server.listen(address);
  bound = server.address;
} else if (kind === 'thrift-framed' || kind === 'thrift-buffered') {
  bound = (await startThriftServer(address, kind.slice('thrift-'.length))).address;
} else if (kind === 'grpc') {
  bound = await startGrpcServer(address);
} else {
  throw new Error(`unknown server kind ${kind}`);
}
process.stdout.write(`READY ${bound}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
