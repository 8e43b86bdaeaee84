import { native, nativeAddon } from '../native.js';
import type { NativeFailure } from './status.js';

/** An opaque native session or listener handle. */
export type NativeHandle = object;

/**
 * Receives one batch of events per wake-up of the session's socket: `count` records of
 * `ShmLayout.eventRecordWords` words in `events`; the FallbackData payloads they refer to; the
 * buffer memory (with the Established event); and, last of all, why the session closed.
 */
export type NativeEventCallback = (
  events: Uint32Array,
  count: number,
  payloads: Uint8Array[] | undefined,
  memory: ArrayBuffer | undefined,
  closed: NativeFailure | undefined,
) => void;

/** One accepted connection: its session handle (undefined when its uid was refused), peer uid and pid. */
export type NativeAcceptEntry = [NativeHandle | undefined, number, number];

/** Options the addon reads (src-native/shm/shm_napi.cc ReadOptions); validated in options.ts. */
export interface NativeSessionOptions {
  version?: number;
  namePrefix?: string;
  bufferSize?: number;
  queueCapacity?: number;
  sliceCapacities?: number[];
  slicePercents?: number[];
  fileMode?: number;
  allowedUids?: number[];
  maxPeerMemory?: number;
  maxMessageBytes?: number;
  maxQueuedOutput?: number;
  socketMode?: number;
  backlog?: number;
}

/** What shmSessionInfo reports. `stats` holds the SessionStats counters in declaration order. */
export interface NativeSessionInfo {
  version: number;
  peerUid: number;
  peerPid: number;
  established: boolean;
  sliceCapacities: number[];
  stats: Float64Array;
}

/** The shm functions of heddle.node (src-native/shm/shm_napi.cc). */
export interface NativeShmFunctions {
  shmConnect(socketPath: string, options: NativeSessionOptions, onEvents: NativeEventCallback): NativeHandle | NativeFailure;
  shmBind(session: NativeHandle, onEvents: NativeEventCallback): void;
  shmListen(socketPath: string, options: NativeSessionOptions, onAccept: (entries: NativeAcceptEntry[]) => void): NativeHandle | NativeFailure;
  shmListenerClose(listener: NativeHandle): void;
  /** 0: sent through shared memory; 1: sent as FallbackData; negative: failed (see shmLastError). */
  shmSend(session: NativeHandle, streamId: number, bytes: Uint8Array, deferNotify?: boolean): number;
  shmSendFallback(session: NativeHandle, streamId: number, bytes: Uint8Array): number;
  /** An allocation id, or a negative status; `out` receives [count, (data offset, capacity)*]. */
  shmAllocate(session: NativeHandle, bytes: number, out: Uint32Array): number;
  shmCommit(session: NativeHandle, allocationId: number, streamId: number, bytes: number, deferNotify?: boolean): number;
  /** Wakes the peer (one Polling message, unless it is working) for chunks sent with deferNotify. */
  shmNotify(session: NativeHandle): number;
  shmCancel(session: NativeHandle, allocationId: number): number;
  shmRelease(session: NativeHandle, sliceOffsets: Uint32Array, count: number): number;
  /** An ArrayBuffer of its own over `length` bytes at `dataOffset` of received slice `sliceOffset`;
   * the slice returns to the pool when that ArrayBuffer is collected. Undefined: copy instead. */
  shmHold(session: NativeHandle, sliceOffset: number, dataOffset: number, length: number): ArrayBuffer | undefined;
  shmCloseStream(session: NativeHandle, streamId: number): number;
  shmClose(session: NativeHandle): void;
  shmSessionInfo(session: NativeHandle): NativeSessionInfo;
  shmLastError(): NativeFailure;
  shmRemoveStaleFiles(prefix: string): number;
  /** Sessions and shared mappings alive; `guarded`: mappings registered with the SIGBUS guard. */
  shmLiveCounts(): { sessions: number; mappings: number; guarded: number };
  shmLayout(): Record<string, number>;
  /** SO_PEERCRED of a connected Unix socket's descriptor. */
  shmPeerCredentials(fd: number): { uid: number; pid: number } | NativeFailure;
}

function unavailableReason(): string | undefined {
  if (!native.loaded) return `the native addon is not loaded (${native.reason ?? 'unknown reason'})`;
  if (process.platform !== 'linux') return `shared memory IPC needs Linux, not ${process.platform}`;
  if (process.arch !== 'x64' && process.arch !== 'arm64') return `shmipc supports x64 and arm64, not ${process.arch}`;
  if (typeof nativeAddon?.shmConnect !== 'function') return 'the native addon was built without shared memory support';
  return undefined;
}

/** Why shared memory cannot be used in this process, or undefined when it can. */
export const shmUnavailableReason: string | undefined = unavailableReason();

/** The addon's shm functions, or undefined when {@link shmUnavailableReason} is set. Internal. */
export const shmNative: NativeShmFunctions | undefined =
  shmUnavailableReason === undefined ? (nativeAddon as unknown as NativeShmFunctions) : undefined;

/** True when `value` is the failure object the addon returns instead of a handle. */
export function isNativeFailure(value: unknown): value is NativeFailure {
  return typeof value === 'object' && value !== null && typeof (value as NativeFailure).status === 'number';
}
