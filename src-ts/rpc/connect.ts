import net from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import type { RpcAddress } from './address.js';
import type { FrameConnection, FrameConnectionOptions, FrameSink } from './frame-connection.js';
import { NativeFrameConnection, nativeIoAvailable } from './native-connection.js';
import { NetFrameConnection } from './net-connection.js';

/**
 * Which I/O path connections use: `native` (the addon's epoll/readv/writev path), `net` (Node's
 * `net.Socket`), or `auto`: native when the addon is loaded, since it is the faster one
 * (bench/rpc measures both).
 */
export type IoPath = 'native' | 'net' | 'auto';

/** Resolves `auto` and checks that `native` is possible. */
export function resolveIoPath(io: IoPath): 'native' | 'net' {
  if (io === 'net') return 'net';
  if (nativeIoAvailable()) return 'native';
  if (io === 'native') throw new HeddleError(ErrorCode.ERR_NATIVE_UNAVAILABLE, "io: 'native' needs the heddle addon, which is not loaded");
  return 'net';
}

/**
 * Wraps a connected socket as a FrameConnection on the chosen path. For `native`, the socket must
 * not have read anything yet (servers use `pauseOnConnect`, `dial` pauses before connecting).
 */
export function adoptSocket(socket: net.Socket, io: 'native' | 'net', options: FrameConnectionOptions, sink: FrameSink): FrameConnection {
  return io === 'native' ? new NativeFrameConnection(socket, options, sink) : new NetFrameConnection(socket, options, sink);
}

/** Describes an address for error messages. */
export function describeAddress(address: RpcAddress): string {
  return address.scheme === 'tcp' ? `${address.host}:${address.port}` : address.path;
}

/** Connects to a tcp:// or unix:// address within `connectTimeoutMs`; ERR_TIMEOUT or ERR_CONNECTION otherwise. */
export function dial(
  address: RpcAddress,
  io: 'native' | 'net',
  connectTimeoutMs: number,
  options: FrameConnectionOptions,
  sink: FrameSink,
): Promise<FrameConnection> {
  if (address.scheme === 'shm') {
    return Promise.reject(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'shm:// addresses are served by the shm transport, not a socket dial'));
  }
  const where = describeAddress(address);
  return new Promise((resolve, reject) => {
    const socket = address.scheme === 'tcp' ? net.connect({ host: address.host, port: address.port, noDelay: true }) : net.connect(address.path);
    // Not a byte may be read by Node before the native path takes the socket over.
    socket.pause();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HeddleError(ErrorCode.ERR_TIMEOUT, `connecting to ${where} took longer than ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new HeddleError(ErrorCode.ERR_CONNECTION, `cannot connect to ${where}: ${error.code ?? error.message}`, { cause: error }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      try {
        resolve(adoptSocket(socket, io, { ...options, peer: where }, sink));
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
  });
}
