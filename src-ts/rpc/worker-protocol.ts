import type { MessagePort } from 'node:worker_threads';
import type { RpcAddress } from './address.js';
import type { ServerLogEntry } from './server.js';

/** What a worker module's options function receives (rpc.createWorkerServer). */
export interface WorkerInfo {
  /** 0 .. threads-1; a restarted worker keeps its predecessor's index. */
  workerIndex: number;
  /** This thread's id (`worker_threads.threadId`). */
  threadId: number;
  /** The server's `workerData` option. */
  workerData: unknown;
}

/** What a worker thread of a multi-threaded server starts with (its `workerData`). */
export interface WorkerStart {
  /** File URL of the module that exports the worker's server options. */
  moduleUrl: string;
  /** 0 .. threads-1; a restarted worker keeps its predecessor's index. */
  workerIndex: number;
  /** The `workerData` option, passed to the module's options function. */
  moduleData: unknown;
  /** Whether the main thread takes the worker's log entries (its `log` option or heddle's logger). */
  forwardLog: boolean;
  /** With an acceptor: the port its connections are relayed over (port-stream.ts). */
  relayPort?: MessagePort;
}

/** Main thread → worker: requests carry an id, answered by a {@link WorkerReply} with the same id. */
export type WorkerRequest =
  /** Accept on `fd`, a TCP socket bound with SO_REUSEPORT and listening; the worker owns it from now. */
  | { kind: 'listen-descriptor'; id: number; fd: number; address: RpcAddress }
  /** Listen on an address of the worker's own (unix://, shm://: served by one worker). */
  | { kind: 'listen'; id: number; address: string }
  /** Graceful close, as RpcServer#close. */
  | { kind: 'close'; id: number; timeoutMs: number; exitWaitMs: number };

/** A request before the main thread numbers it. */
export type WorkerRequestBody = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** A failure as it crosses threads: HeddleError's code and message. */
export interface WorkerFailure {
  code: string;
  message: string;
}

/** Worker → main thread. */
export type WorkerReply =
  /** The module loaded and the server exists. */
  | { kind: 'ready'; threadId: number; ioPath: 'native' | 'net' }
  | { kind: 'done'; id: number; failure?: WorkerFailure; addresses?: string[]; shmFallbacks?: string[] }
  | { kind: 'log'; entry: ServerLogEntry };
