// A grpc-js echo server in a process of its own, its PackageDefinition from the loader named in
// argv[2] ('proto-loader' or 'heddle'). Prints `READY <port>`; exits when stdin closes.
import * as grpc from '@grpc/grpc-js';
import { loadEcho } from './echo-definition.mjs';

const definition = await loadEcho(process.argv[2]);
const server = new grpc.Server();
server.addService(definition.benchgrpc.Echo.service, { echo: (call, callback) => callback(null, call.request) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`READY ${port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.tryShutdown(() => process.exit(0)));
