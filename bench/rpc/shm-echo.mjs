// RPC echo over shared memory against the Unix socket and TCP, across the size sweep (64 B ... 4 MiB)
// at 1, 4 and 64 callers: the same benchmark as bench/ipc/rpc-echo.mjs (which bench/ipc/index.mjs
// runs beside the raw ping-pong), here for the RPC family. Options and output: bench/ipc/README.md.
//
//   npm run build && node bench/rpc/shm-echo.mjs
import { main } from '../ipc/rpc-echo.mjs';

await main();
