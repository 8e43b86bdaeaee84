/**
 * Shared-memory IPC wire-compatible with CloudWeGo shmipc (protocol v2 and v3): `listen()` and
 * `connect()` give sessions of byte streams over shared memory, with a Unix-socket or TCP
 * fallback when shared memory is unavailable.
 *
 * ```ts
 * const server = await shm.listen('/run/app/control.sock');
 * server.on('stream', (stream) => stream.setDataHandler((chunk) => { ...; chunk.release(); }));
 * const client = await shm.connect('/run/app/control.sock');
 * const stream = await client.acquireStream();
 * const out = stream.allocate(n);   // encode into out.segments, then
 * out.send();
 * ```
 */
import { shmUnavailableReason } from './native-shm.js';

/** True when shared memory can be used in this process (Linux, x64/arm64, addon loaded). */
export const available: boolean = shmUnavailableReason === undefined;
/** Why shared memory is unavailable, when {@link available} is false. */
export const unavailableReason: string | undefined = shmUnavailableReason;

export { listen, ShmServer } from './server.js';
export type { RefusedPeer } from './server.js';
export { connect, ShmClient, removeStaleFiles } from './client.js';
export { ShmSession } from './session.js';
export type { ShmSessionStats, ShmPeer } from './session.js';
export { SharedMemoryStream } from './shm-stream.js';
export { SocketStream } from './socket-stream.js';
export type { ShmStream, ShmTransport } from './stream.js';
export { ShmChunk } from './chunk.js';
export { ShmWriteBuffer } from './write-buffer.js';
export type { ShmConnectOptions, ShmListenOptions, ShmMemoryOptions } from './options.js';
export { ShmLayout, MessageType } from './layout.js';
