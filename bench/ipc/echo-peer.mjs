// The far side of the IPC ping-pong benchmark, run as a separate process by bench/ipc/index.mjs:
// echoes every byte it receives, over heddle shm, or Node `net` on a Unix socket or TCP.
//
//   node bench/ipc/echo-peer.mjs shm  <socket path>
//   node bench/ipc/echo-peer.mjs unix <socket path>
//   node bench/ipc/echo-peer.mjs tcp
//
// Prints "READY <address>" when listening; exits when stdin closes.
import { createServer } from 'node:net';
import heddle from '../../dist/index.js';
import { writeChunk } from './echo-peer-write.mjs';

const [transport, path] = process.argv.slice(2);
let close;

if (transport === 'shm') {
  const server = await heddle.shm.listen(path);
  server.on('stream', (stream) => {
    stream.setDataHandler((chunk) => {
      // One copy into fresh slices, as any real reply would be produced.
      writeChunk(stream, chunk);
      chunk.release();
    });
  });
  close = () => server.close();
  process.stdout.write(`READY ${path}\n`);
} else {
  const server = createServer((socket) => {
    socket.setNoDelay?.(true);
    socket.on('data', (data) => socket.write(data));
    socket.on('error', () => socket.destroy());
  });
  await new Promise((resolve) => (transport === 'unix' ? server.listen(path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  close = () => new Promise((resolve) => server.close(resolve));
  process.stdout.write(`READY ${transport === 'unix' ? path : server.address().port}\n`);
}

process.stdin.on('data', () => undefined);
process.stdin.on('end', async () => {
  await close();
  process.exit(0);
});
