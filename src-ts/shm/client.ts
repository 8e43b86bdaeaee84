import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import { shmNative, shmUnavailableReason } from './native-shm.js';
import { clientSettings, type ClientSettings, type ShmConnectOptions } from './options.js';
import { ShmSession } from './session.js';
import { SocketStream } from './socket-stream.js';
import type { ShmStream, ShmTransport } from './stream.js';

const cleanedPrefixes = new Set<string>();

/**
 * Removes the /dev/shm files (protocol v2) that crashed heddle clients left under `pathPrefix`:
 * those of processes that no longer exist and belong to this user. A client does this once per
 * prefix before its first v2 session. Returns how many files were removed.
 */
export function removeStaleFiles(pathPrefix = '/dev/shm/heddle'): number {
  if (shmNative === undefined) return 0;
  return shmNative.shmRemoveStaleFiles(pathPrefix);
}

/**
 * A shmipc client: the session manager with its stream pool. It keeps one session to the server
 * and hands out streams from a pool of idle ones, opening new ones as needed. When the session
 * dies, in-flight streams fail with ERR_CONNECTION and the next acquireStream() reconnects.
 * When shared memory is unavailable (no addon, the server refuses, the handshake fails) and a
 * `fallback` address is configured, streams are fallback socket connections instead, and shared
 * memory is tried again after `retryShmAfterMs`.
 */
export class ShmClient {
  /** The server's control socket. */
  readonly socketPath: string;
  #settings: ClientSettings;
  #session: ShmSession | undefined;
  #connecting: Promise<ShmSession> | undefined;
  #idle: ShmStream[] = [];
  #retryShmAt = 0;
  #shmError: HeddleError | undefined;
  #sessionsOpened = 0;
  #closed = false;

  private constructor(socketPath: string, settings: ClientSettings) {
    this.socketPath = socketPath;
    this.#settings = settings;
  }

  /** @internal Use shm.connect(). */
  static async connect(socketPath: string, options: ShmConnectOptions = {}): Promise<ShmClient> {
    if (typeof socketPath !== 'string' || !socketPath.startsWith('/')) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: connect() needs an absolute socket path, got '${String(socketPath)}'`);
    }
    const client = new ShmClient(socketPath, clientSettings(options));
    try {
      await client.#ensureSession();
    } catch (error) {
      if (client.#settings.fallback === undefined) throw error;
    }
    return client;
  }

  /** What the next new stream would use: 'shm', or the fallback's 'unix' / 'tcp'. */
  get transport(): ShmTransport {
    if (this.#session !== undefined && !this.#session.closed) return 'shm';
    if (this.#settings.fallback !== undefined && Date.now() < this.#retryShmAt) return this.#settings.fallback.transport;
    return shmNative !== undefined ? 'shm' : this.#settings.fallback?.transport ?? 'shm';
  }

  /** The current shared-memory session, if one is up. */
  get session(): ShmSession | undefined {
    return this.#session !== undefined && !this.#session.closed ? this.#session : undefined;
  }

  /** Why shared memory was last unavailable (the client fell back or failed), if it was. */
  get lastShmError(): HeddleError | undefined {
    return this.#shmError;
  }

  /** Sessions this client has opened so far (reconnects included). */
  get sessionsOpened(): number {
    return this.#sessionsOpened;
  }

  /** Idle streams waiting in the pool. */
  get idleStreams(): number {
    return this.#idle.length;
  }

  /**
   * A stream to use for one exchange: an idle one from the pool, or a new one. Rejects with
   * ERR_CONNECTION (or ERR_NATIVE_UNAVAILABLE without a fallback) when nothing can be opened.
   */
  async acquireStream(): Promise<ShmStream> {
    if (this.#closed) throw new HeddleError(ErrorCode.ERR_CONNECTION, 'shm: client is closed');
    for (let stream = this.#idle.pop(); stream !== undefined; stream = this.#idle.pop()) {
      if (!stream.closed) return stream;
    }
    const fallback = this.#settings.fallback;
    if (fallback === undefined || Date.now() >= this.#retryShmAt) {
      try {
        const session = await this.#ensureSession();
        return session.openStream();
      } catch (error) {
        if (fallback === undefined) throw error;
      }
    }
    return SocketStream.connect(fallback!, this.#settings.connectTimeoutMs);
  }

  /** Returns a stream to the pool once its exchange is complete; a stream that is closed, still
   * holds unread chunks, or would overfill the pool is closed instead. */
  releaseStream(stream: ShmStream): void {
    stream.setDataHandler(undefined);
    if (stream.closed) return;
    if (this.#closed || stream.bufferedChunks > 0 || this.#idle.length >= this.#settings.maxIdleStreams) {
      stream.close();
      return;
    }
    this.#idle.push(stream);
  }

  /** Closes idle streams and the session (in-flight streams fail with ERR_CONNECTION). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of this.#idle.splice(0)) stream.close();
    this.#session?.close();
    this.#session = undefined;
  }

  #ensureSession(): Promise<ShmSession> {
    if (this.#session !== undefined && !this.#session.closed) return Promise.resolve(this.#session);
    this.#connecting ??= this.#openSession().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #openSession(): Promise<ShmSession> {
    try {
      if (shmNative === undefined) {
        throw new HeddleError(ErrorCode.ERR_NATIVE_UNAVAILABLE, `shm: shared memory is unavailable: ${shmUnavailableReason}`);
      }
      const native = this.#settings.native;
      if (native.version === 2 && !cleanedPrefixes.has(native.namePrefix!)) {
        cleanedPrefixes.add(native.namePrefix!);
        shmNative.shmRemoveStaleFiles(native.namePrefix!);
      }
      const session = await ShmSession.connect(shmNative, this.socketPath, native, this.#settings.connectTimeoutMs);
      if (this.#closed) {
        session.close();
        throw new HeddleError(ErrorCode.ERR_CONNECTION, 'shm: client is closed');
      }
      this.#session = session;
      this.#sessionsOpened++;
      this.#shmError = undefined;
      // Idle streams of a dead session are dead too.
      session.onClose(() => (this.#idle = this.#idle.filter((s) => !s.closed)));
      return session;
    } catch (error) {
      this.#shmError = asHeddleError(error, ErrorCode.ERR_CONNECTION);
      this.#retryShmAt = Date.now() + this.#settings.retryShmAfterMs;
      throw this.#shmError;
    }
  }
}

/**
 * Connects to a shmipc server's control socket and returns the client (session manager and
 * stream pool). Version 3 (memfds) by default, version 2 (files under /dev/shm) with
 * `{ version: 2 }`. With `fallback`, a failure to set up shared memory is not an error: streams
 * then go over that Unix socket or TCP address.
 */
export function connect(socketPath: string, options?: ShmConnectOptions): Promise<ShmClient> {
  return ShmClient.connect(socketPath, options);
}
