import { ErrorCode, HeddleError } from '../errors.js';
import { parseFallbackAddress, type FallbackAddress } from './address.js';
import { DEFAULT_SLICE_CAPACITIES, DEFAULT_SLICE_PERCENTS, DEFAULT_V3_BUFFER_SIZE, DEFAULT_V3_SLICE_SIZES, ShmLayout } from './layout.js';
import type { NativeSessionOptions } from './native-shm.js';

/** How a client lays out the shared memory it creates. Defaults: protocol v3 with a 256 MiB pool
 * that has 1 MiB and 4 MiB slices (DEFAULT_V3_SLICE_SIZES in layout.ts); with version 2, shmipc-go's. */
export interface ShmMemoryOptions {
  /** 3 (default): memfds passed over the socket (SCM_RIGHTS); 2: files named after `pathPrefix`. */
  version?: 2 | 3;
  /** Names of the queue and buffer: `<pathPrefix>_<pid>_<serial>_queue|buffer`; with version 2
   * they are files, so this must be on a tmpfs such as /dev/shm. Default '/dev/shm/heddle'. */
  pathPrefix?: string;
  /** Bytes of slice pool, at least 1 MiB. Default 256 MiB with version 3 (the kernel backs only the
   * pages of slices in use), 32 MiB with version 2 (files on /dev/shm). */
  bufferSize?: number;
  /** Queue elements per direction. Default 8192. */
  queueCapacity?: number;
  /** Slice sizes (data bytes) and their share of the pool in percent (summing to 100). Default with
   * version 3 and a pool of 16 MiB or more: 8172 B 8%, 32748 B 6%, 131052 B 8%, 1052652 B 30%,
   * 4198380 B 48%; otherwise shmipc-go's: 8172 B 50%, 32748 B 30%, 131052 B 20%. */
  sliceSizes?: ReadonlyArray<{ size: number; percent: number }>;
  /** Version 2 only: create the files with mode 0660 instead of 0600, for a server of another uid
   * in our group. */
  groupAccess?: boolean;
}

/** Options of `shm.connect()`. */
export interface ShmConnectOptions extends ShmMemoryOptions {
  /** Server uids we accept (checked with SO_PEERCRED). Default: our own uid only. */
  allowedUids?: readonly number[];
  /** Where to connect when shared memory is unavailable: 'unix:///path' or 'tcp://host:port'. */
  fallback?: string;
  /** Deadline for the connection and the shmipc handshake. Default 1000 ms (shmipc-go's). */
  connectTimeoutMs?: number;
  /** Idle streams kept for reuse. Default 4096 (shmipc-go's MaxStreamNum). */
  maxIdleStreams?: number;
  /** After shared memory failed, how long to use the fallback before trying it again. Default 1000 ms. */
  retryShmAfterMs?: number;
  /** The largest FallbackData chunk. Default 64 MiB. */
  maxMessageBytes?: number;
  /** The most FallbackData kept waiting while the server does not read the control socket; a
   * write beyond it throws ERR_SIZE_LIMIT (the session stays up). Default 64 MiB. */
  maxQueuedFallbackBytes?: number;
}

/** Options of `shm.listen()`. */
export interface ShmListenOptions {
  /** Create the control socket with mode 0660 (group may connect) instead of 0600. */
  groupAccess?: boolean;
  /** Client uids accepted (SO_PEERCRED). Default: our own uid only. */
  allowedUids?: readonly number[];
  /** Also listen here for clients without shared memory: 'unix:///path' or 'tcp://host:port'.
   * A Unix socket is created with the control socket's mode (0600, or 0660 with groupAccess) and,
   * when the addon is loaded, checked against `allowedUids` too; without the addon its file mode
   * is the only protection. TCP has no peer credentials: anyone who can reach the port connects. */
  fallback?: string;
  /** A client that has not completed the handshake by then is dropped. Default 5000 ms. */
  handshakeTimeoutMs?: number;
  /** The largest queue or buffer memory a client may ask us to map. Default 1 GiB. */
  maxPeerMemory?: number;
  /** The largest FallbackData chunk accepted. Default 64 MiB. */
  maxMessageBytes?: number;
  /** The most FallbackData kept waiting while a client does not read the control socket; a write
   * beyond it throws ERR_SIZE_LIMIT (the session stays up). Default 64 MiB. */
  maxQueuedFallbackBytes?: number;
}

const MAX_MESSAGE_DEFAULT = 64 * 1024 * 1024;
const MIN_BUFFER_FOR_V3_SLICES = 16 * 1024 * 1024;
const MAX_QUEUED_FALLBACK_DEFAULT = 64 * 1024 * 1024;

function maxQueuedOutput(value: number | undefined): number {
  return integer('maxQueuedFallbackBytes', value, MAX_QUEUED_FALLBACK_DEFAULT, 1024, Number.MAX_SAFE_INTEGER);
}

function invalid(option: string, expected: string, value: unknown): HeddleError {
  return new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: option ${option} must be ${expected}, got ${String(value)}`);
}

function integer(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(option, `an integer in ${min}..${max}`, value);
  return value;
}

function uids(value: readonly number[] | undefined): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((uid) => !Number.isInteger(uid) || uid < 0 || uid > 0xffffffff)) {
    throw invalid('allowedUids', 'an array of uids', value);
  }
  return [...value];
}

function fallbackAddress(value: string | undefined): FallbackAddress | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid('fallback', 'a string', value);
  return parseFallbackAddress(value);
}

/** A client's options, validated, with what the addon needs split out. */
export interface ClientSettings {
  native: NativeSessionOptions;
  fallback: FallbackAddress | undefined;
  connectTimeoutMs: number;
  maxIdleStreams: number;
  retryShmAfterMs: number;
}

/** Validates `shm.connect()` options (ERR_INVALID_ARGUMENT names the bad one) and applies defaults. */
export function clientSettings(options: ShmConnectOptions = {}): ClientSettings {
  const version = options.version ?? 3;
  if (version !== 2 && version !== 3) throw invalid('version', '2 or 3', version);
  const pathPrefix = options.pathPrefix ?? '/dev/shm/heddle';
  if (typeof pathPrefix !== 'string' || !pathPrefix.startsWith('/') || pathPrefix.endsWith('/') || pathPrefix.length > 200) {
    throw invalid('pathPrefix', 'an absolute path prefix (not a directory) under 200 characters', pathPrefix);
  }
  const bufferSize = integer('bufferSize', options.bufferSize, version === 3 ? DEFAULT_V3_BUFFER_SIZE : ShmLayout.defaultBufferSize, 1 << 20, 0xffffffff);
  // The 1 MiB slots only pay off in a pool with room for several of them.
  const sizes = options.sliceSizes ??
    (version === 3 && bufferSize >= MIN_BUFFER_FOR_V3_SLICES ? DEFAULT_V3_SLICE_SIZES : DEFAULT_SLICE_CAPACITIES.map((size, i) => ({ size, percent: DEFAULT_SLICE_PERCENTS[i]! })));
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 32) throw invalid('sliceSizes', '1 to 32 {size, percent} entries', sizes);
  const sorted = [...sizes].sort((a, b) => a.size - b.size);
  let percentSum = 0;
  for (const { size, percent } of sorted) {
    integer('sliceSizes[].size', size, 0, 1, bufferSize);
    integer('sliceSizes[].percent', percent, 0, 1, 100);
    percentSum += percent;
  }
  if (percentSum !== 100) throw invalid('sliceSizes', 'percents summing to 100', percentSum);
  const maxMessageBytes = integer('maxMessageBytes', options.maxMessageBytes, MAX_MESSAGE_DEFAULT, 1024, 0xffffffff - 64);
  return {
    native: {
      version,
      namePrefix: pathPrefix,
      bufferSize,
      queueCapacity: integer('queueCapacity', options.queueCapacity, ShmLayout.defaultQueueCapacity, 1, 1 << 20),
      sliceCapacities: sorted.map((s) => s.size),
      slicePercents: sorted.map((s) => s.percent),
      fileMode: options.groupAccess === true ? 0o660 : 0o600,
      allowedUids: uids(options.allowedUids),
      maxMessageBytes: maxMessageBytes + ShmLayout.controlHeaderSize + ShmLayout.fallbackMetaSize,
      maxQueuedOutput: maxQueuedOutput(options.maxQueuedFallbackBytes),
    },
    fallback: fallbackAddress(options.fallback),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs, 1000, 1, 600_000),
    maxIdleStreams: integer('maxIdleStreams', options.maxIdleStreams, 4096, 0, 1 << 20),
    retryShmAfterMs: integer('retryShmAfterMs', options.retryShmAfterMs, 1000, 0, 3_600_000),
  };
}

/** A server's options, validated. */
export interface ServerSettings {
  native: NativeSessionOptions;
  fallback: FallbackAddress | undefined;
  handshakeTimeoutMs: number;
}

/** Validates `shm.listen()` options (ERR_INVALID_ARGUMENT names the bad one) and applies defaults. */
export function serverSettings(options: ShmListenOptions = {}): ServerSettings {
  const maxMessageBytes = integer('maxMessageBytes', options.maxMessageBytes, MAX_MESSAGE_DEFAULT, 1024, 0xffffffff - 64);
  return {
    native: {
      socketMode: options.groupAccess === true ? 0o660 : 0o600,
      allowedUids: uids(options.allowedUids),
      maxPeerMemory: integer('maxPeerMemory', options.maxPeerMemory, 1 << 30, 1 << 16, 0xffffffff),
      maxMessageBytes: maxMessageBytes + ShmLayout.controlHeaderSize + ShmLayout.fallbackMetaSize,
      maxQueuedOutput: maxQueuedOutput(options.maxQueuedFallbackBytes),
    },
    fallback: fallbackAddress(options.fallback),
    handshakeTimeoutMs: integer('handshakeTimeoutMs', options.handshakeTimeoutMs, 5000, 1, 600_000),
  };
}
