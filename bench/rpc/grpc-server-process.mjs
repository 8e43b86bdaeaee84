// One gRPC server in its own process for bench/rpc/grpc.mjs: `node grpc-server-process.mjs <kind>
// <address>` prints "READY <bound address>" and exits when its stdin closes. Kinds: heddle (the
// heddle RPC server, whose port also answers Kitex transports, on its own HTTP/2 engine),
// heddle-node (the same on node:http2: grpc.http2 'node') and grpc-js.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const proto = join(here, 'grpc-echo.proto');
const [kind, address] = process.argv.slice(2);
let bound;

if (kind === 'heddle' || kind === 'heddle-node') {
  const { default: heddle } = await import('../../dist/index.js');
  const root = heddle.protobuf.parse(readFileSync(proto, 'utf8'), { filename: 'grpc-echo.proto' });
  const server = heddle.rpc.createServer({
    idl: root,
    service: 'benchgrpc.Echo',
    log: () => {},
    grpc: { http2: kind === 'heddle-node' ? 'node' : 'heddle' },
    handlers: {
      Echo: async (req) => req,
      Stream: async function* (req) {
        const reply = { action: 'stream', msg: req.msg };
        for (let i = 0; i < req.count; i++) yield reply;
      },
    },
  });
  await server.listen(address);
  bound = server.address;
} else if (kind === 'grpc-js') {
  const require = createRequire(join(here, '..', '..', 'package.json'));
  const grpc = require('@grpc/grpc-js');
  const loader = require('@grpc/proto-loader');
  const { benchgrpc } = grpc.loadPackageDefinition(loader.loadSync(proto));
  const server = new grpc.Server();
  server.addService(benchgrpc.Echo.service, {
    Echo: (call, callback) => callback(null, call.request),
    Stream: async (call) => {
      const reply = { action: 'stream', msg: call.request.msg };
      for (let i = 0; i < call.request.count; i++) {
        if (!call.write(reply)) await new Promise((resolve) => call.once('drain', resolve));
      }
      call.end();
    },
  });
  const bind = address.startsWith('unix://') ? `unix:${address.slice(7)}` : '127.0.0.1:0';
  const port = await new Promise((resolve, reject) => server.bindAsync(bind, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  bound = address.startsWith('unix://') ? address : `tcp://127.0.0.1:${port}`;
} else {
  throw new Error(`unknown server kind ${kind}`);
}
process.stdout.write(`READY ${bound}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
