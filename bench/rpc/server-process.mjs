// One RPC server in its own process, so the benchmark's client and server never share an event
// loop: `node server-process.mjs <kind> <address>` prints "READY <bound address>" and exits when
// its stdin closes. Kinds: heddle-native, heddle-net, heddle-shm, thrift-framed, thrift-buffered, grpc.
// `node server-process.mjs heddle-native <address> <micros>` serves with busy polling.
import { readFileSync } from 'node:fs';
import { echoThrift, startGrpcServer, startThriftServer } from './peers.mjs';

const [kind, address, busyPollArg] = process.argv.slice(2);
// heddle servers only: microseconds to keep polling after each reply (ServerOptions.busyPollMicros).
const busyPollMicros = Number(busyPollArg ?? 0);
let bound;
if (kind === 'heddle-shm') {
  // RPC over shmipc shared memory; `address` is the shm:// control socket.
  const { default: heddle } = await import('../../dist/index.js');
  const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  const server = heddle.rpc.createServer({
    idl: doc,
    service: 'EchoService',
    handlers: { echo: async ({ req }) => ({ action: req.action, msg: req.msg }), ping: async () => 'pong' },
  });
  await server.listen(address);
  bound = server.address;
} else if (kind === 'heddle-native' || kind === 'heddle-net') {
  const { default: heddle } = await import('../../dist/index.js');
  const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  const server = heddle.rpc.createServer({
    idl: doc,
    service: 'EchoService',
    io: kind === 'heddle-native' ? 'native' : 'net',
    busyPollMicros,
    handlers: { echo: async ({ req }) => ({ action: req.action, msg: req.msg }), ping: async () => 'pong' },
  });
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
