// The server side of bench/ipc/rpc-echo.mjs, in its own process: a heddle RPC server whose one
// method returns the binary it was given, listening on the address in argv (shm://, unix://,
// tcp://). Prints "READY <bound address> <pid>" (the pid lets the benchmark read its CPU time);
// exits when stdin closes.
import heddle from '../../dist/index.js';
import { blobEchoIdl } from './rpc-echo-idl.mjs';

const [address] = process.argv.slice(2);
const doc = heddle.thrift.parse(blobEchoIdl, { filename: 'blob-echo.thrift' });
const server = heddle.rpc.createServer({ idl: doc, service: 'BlobEcho', handlers: { echo: async ({ req }) => req } });
await server.listen(address);
process.stdout.write(`READY ${server.address} ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
