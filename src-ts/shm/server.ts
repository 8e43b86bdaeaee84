import { EventEmitter } from 'node:events';
import { chmodSync, linkSync, lstatSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { ErrorCode, HeddleError } from '../errors.js';
import { formatFallbackAddress, type FallbackAddress } from './address.js';
import { closeOnExit } from './exit-cleanup.js';
import { isNativeFailure, shmNative, shmUnavailableReason, type NativeAcceptEntry, type NativeHandle, type NativeShmFunctions } from './native-shm.js';
import { serverSettings, type ServerSettings, type ShmListenOptions } from './options.js';
import { ShmSession } from './session.js';
import { SocketStream } from './socket-stream.js';
import { nativeError } from './status.js';
import type { ShmStream } from './stream.js';

/** A client refused at the door: its uid is not in `allowedUids` (on the control socket, or on a
 * fallback Unix socket when the addon is loaded). -1 when its credentials could not be read. */
export interface RefusedPeer {
  uid: number;
  pid: number;
}

/** The longest Unix socket path (sockaddr_un.sun_path without its terminating NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * A shmipc server: accepts sessions on a control socket and yields their streams; optionally
 * also accepts plain socket connections (the fallback) and yields those as streams too.
 *
 * Events: 'stream' (ShmStream), 'session' (ShmSession, once established), 'sessionClose'
 * (ShmSession, error?: HeddleError — ERR_SHM_PEER when a client broke the protocol), 'refused'
 * (RefusedPeer). Streams nobody listens for with 'stream' wait for accept() / `for await`.
 */
export class ShmServer extends EventEmitter implements AsyncIterable<ShmStream> {
  /** The control socket path. */
  readonly path: string;
  /** False when shared memory is unavailable here and only the fallback listens. */
  readonly sharedMemory: boolean;
  #native: NativeShmFunctions | undefined;
  #listener: NativeHandle | undefined;
  #fallbackServer: Server | undefined;
  #fallbackAddress: FallbackAddress | undefined;
  #settings: ServerSettings;
  #sessions = new Set<ShmSession>();
  #fallbackStreams = new Set<ShmStream>();
  #queued: ShmStream[] = [];
  #acceptors: Array<(stream: ShmStream | null) => void> = [];
  #closed = false;
  #forgetOnExit: () => void = () => undefined;
  /** The inode of the fallback socket file we put in place, so close() removes only ours. */
  #fallbackInode: number | undefined;

  private constructor(path: string, settings: ServerSettings, native: NativeShmFunctions | undefined) {
    super();
    this.path = path;
    this.#settings = settings;
    this.#native = native;
    this.sharedMemory = native !== undefined;
  }

  /** @internal Use shm.listen(). */
  static async listen(path: string, options: ShmListenOptions = {}): Promise<ShmServer> {
    const settings = serverSettings(options);
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: listen() needs an absolute socket path, got '${String(path)}'`);
    }
    if (shmNative === undefined && settings.fallback === undefined) {
      throw new HeddleError(ErrorCode.ERR_NATIVE_UNAVAILABLE, `shm: cannot listen on ${path}: ${shmUnavailableReason}`);
    }
    const server = new ShmServer(path, settings, shmNative);
    if (shmNative !== undefined) {
      const listener = shmNative.shmListen(path, settings.native, server.#onAccept);
      if (isNativeFailure(listener)) throw nativeError(`listen on ${path}`, listener);
      server.#listener = listener;
      const native = shmNative;
      server.#forgetOnExit = closeOnExit(() => native.shmListenerClose(listener));
    }
    if (settings.fallback !== undefined) {
      try {
        await server.#listenFallback(settings.fallback, options.groupAccess === true ? 0o660 : 0o600);
      } catch (error) {
        await server.close();
        throw error;
      }
    }
    return server;
  }

  /** Where fallback clients connect, in URL form (with the port TCP picked), if configured. */
  get fallbackAddress(): string | undefined {
    return this.#fallbackAddress === undefined ? undefined : formatFallbackAddress(this.#fallbackAddress);
  }

  /** Established and establishing shared-memory sessions. */
  get sessions(): ReadonlySet<ShmSession> {
    return this.#sessions;
  }

  /** The next stream no 'stream' listener took, or null once the server is closed. */
  accept(): Promise<ShmStream | null> {
    const queued = this.#queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#acceptors.push(resolve));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ShmStream> {
    for (;;) {
      const stream = await this.accept();
      if (stream === null) return;
      yield stream;
    }
  }

  /** Stops listening, closes every session and fallback connection, removes the socket files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#forgetOnExit();
    if (this.#listener !== undefined) this.#native!.shmListenerClose(this.#listener);
    for (const session of [...this.#sessions]) session.close();
    for (const stream of [...this.#fallbackStreams, ...this.#queued]) stream.close();
    this.#queued = [];
    for (const acceptor of this.#acceptors.splice(0)) acceptor(null);
    const fallback = this.#fallbackServer;
    if (fallback !== undefined) await new Promise<void>((resolve) => fallback.close(() => resolve()));
    // Node removes the path it listened on, the private staging one; the public link is ours.
    if (this.#fallbackAddress?.transport === 'unix' && this.#fallbackInode !== undefined) {
      removeIfInode(this.#fallbackAddress.path, this.#fallbackInode);
    }
  }

  #onAccept = (entries: NativeAcceptEntry[]): void => {
    for (const [handle, uid, pid] of entries) {
      if (handle === undefined) {
        this.emit('refused', { uid, pid } satisfies RefusedPeer);
        continue;
      }
      if (this.#closed) {
        this.#native!.shmClose(handle);
        continue;
      }
      const session = ShmSession.accept(this.#native!, handle, this.#settings.handshakeTimeoutMs, (stream) => this.#offer(stream));
      this.#sessions.add(session);
      session.ready.then(
        () => this.emit('session', session),
        () => undefined,
      );
      session.onClose((error) => {
        this.#sessions.delete(session);
        this.emit('sessionClose', session, error);
      });
    }
  };

  #offer(stream: ShmStream): void {
    if (this.listenerCount('stream') > 0) {
      this.emit('stream', stream);
      return;
    }
    const acceptor = this.#acceptors.shift();
    if (acceptor !== undefined) acceptor(stream);
    else this.#queued.push(stream);
  }

  async #listenFallback(address: FallbackAddress, mode: number): Promise<void> {
    const server = createServer((socket: Socket) => {
      if (this.#closed || (address.transport === 'unix' && !this.#fallbackPeerAllowed(socket))) {
        socket.destroy();
        return;
      }
      const stream = new SocketStream(socket, address.transport);
      this.#fallbackStreams.add(stream);
      stream.onEnd(() => this.#fallbackStreams.delete(stream));
      this.#offer(stream);
    });
    this.#fallbackServer = server;
    if (address.transport === 'unix') {
      await removeStaleSocket(address.path);
      this.#fallbackInode = await listenPrivately(server, address.path, mode);
      this.#fallbackAddress = address;
    } else {
      await listenOn(server, () => server.listen(address.port, address.host));
      const bound = server.address() as AddressInfo;
      this.#fallbackAddress = { transport: 'tcp', host: address.host, port: bound.port };
    }
  }

  /**
   * The uid allowlist of the control socket, applied to a fallback Unix connection (SO_PEERCRED).
   * Without the addon there is no way to read credentials: the socket's file mode is then the only
   * protection. A connection whose credentials cannot be read is refused.
   */
  #fallbackPeerAllowed(socket: Socket): boolean {
    if (this.#native === undefined) return true;
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    const peer = typeof fd === 'number' && fd >= 0 ? this.#native.shmPeerCredentials(fd) : undefined;
    if (peer === undefined || isNativeFailure(peer)) {
      this.emit('refused', { uid: -1, pid: -1 } satisfies RefusedPeer);
      return false;
    }
    const allowed = this.#settings.native.allowedUids ?? [];
    if (allowed.length === 0 ? peer.uid === process.geteuid!() : allowed.includes(peer.uid)) return true;
    this.emit('refused', { uid: peer.uid, pid: peer.pid } satisfies RefusedPeer);
    return false;
  }
}

/** Runs `listen` and waits for 'listening' (or the error that prevented it). */
function listenOn(server: Server, listen: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
    listen();
  });
}

/**
 * Listens on a Unix socket that nobody else can connect to before it has `mode`: Node cannot set
 * a socket's mode before listen(), so it is bound inside a fresh 0700 directory next to `path`,
 * given its mode there, and hard-linked into place (link, unlike rename, never replaces a live
 * server's socket: EADDRINUSE then). Returns the socket file's inode.
 */
async function listenPrivately(server: Server, path: string, mode: number): Promise<number> {
  const staging = mkdtempSync(join(dirname(path), '.h'));
  const bound = join(staging, 's');
  try {
    if (Buffer.byteLength(bound) > MAX_SOCKET_PATH) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: fallback socket directory ${dirname(path)} is too long for the private staging path ${bound}`);
    }
    await listenOn(server, () => server.listen(bound));
    chmodSync(bound, mode);
    try {
      linkSync(bound, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw Object.assign(new Error(`listen EADDRINUSE: address already in use ${path}`), { code: 'EADDRINUSE', cause: error });
    }
    return lstatSync(path).ino;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Unlinks `path` if it is still the file with inode `inode` (not one another server put there). */
function removeIfInode(path: string, inode: number): void {
  try {
    if (lstatSync(path).ino === inode) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Removes a Unix socket file nobody listens on any more (left by a crashed server). */
function removeStaleSocket(path: string): Promise<void> {
  return new Promise((resolve) => {
    const probe = netConnect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve();  // alive: listen() will fail with EADDRINUSE, as it should
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        try {
          unlinkSync(path);
        } catch {
          // Gone already, or not ours to remove: listen() reports what matters.
        }
      }
      resolve();
    });
  });
}

/**
 * Listens for shmipc clients on the Unix socket `path` (created with mode 0600, or 0660 with
 * `groupAccess`; peers are checked against `allowedUids` with SO_PEERCRED). With `fallback`, also
 * listens there for clients that cannot use shared memory: a fallback Unix socket gets the same
 * mode from its creation and, with the addon, the same SO_PEERCRED check. Without the addon, only
 * the fallback listens and its file mode is the only protection (a TCP fallback has none: bind it
 * to loopback). Without either, this throws ERR_NATIVE_UNAVAILABLE.
 */
export function listen(path: string, options?: ShmListenOptions): Promise<ShmServer> {
  return ShmServer.listen(path, options);
}
