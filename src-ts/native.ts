import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The functions heddle.node exports. Internal: the public view is {@link native}. Each part of
 * src-native/ adds its functions here; every one has a pure-TypeScript twin elsewhere.
 */
export interface NativeAddon extends Partial<import('./shm/native-shm.js').NativeShmFunctions> {
  /** CPU features detected at run time, in the names {@link native.features} uses. */
  cpuFeatures(): string[];
  /** An id unique to this Node environment (main thread or worker) within the process. */
  environmentId(): number;
  /** Environments in this process that currently have the addon loaded. */
  liveEnvironments(): number;
  /** Kernel variants this process may run, 'auto' and 'scalar' first (src-native/simd/kernel_variant.h). */
  kernelVariants(): import('./kernels/native-kernels.js').KernelVariantName[];
  /** Copies `count` elements of `width` bytes between TypedArrays, reversing each (src-native/codec/byte_swap.h). */
  swapBytes(src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, dstOffset: number, count: number, width: number, variant: number): void;
  /** Decodes out.length varints from src[start, end); the end offset, or -(offset * 4 + status) (src-native/codec/varint_decode.h). */
  decodeVarints(src: Uint8Array, start: number, end: number, out: Int32Array | BigInt64Array | BigUint64Array, zigzag: boolean, variant: number): number;
  /** How many varints end in src[start, end) (src-native/codec/varint_decode.h). */
  countVarints(src: Uint8Array, start: number, end: number, variant: number): number;
  /**
   * The end of `count` varints of at most `maxBytes` bytes at src[start, end), or -(offset * 4 + status)
   * for the one that is truncated or too long (src-native/codec/varint_decode.h).
   */
  skipVarints(src: Uint8Array, start: number, end: number, count: number, maxBytes: number): number;
  /**
   * The top-level fields of the Thrift Compact struct in `src`, five numbers each in `out` (header
   * offset, type, id, value start, value end), and their count; -1 when the caller must walk `src`
   * itself (src-native/codec/compact_field_index.h).
   */
  compactFieldIndex(src: Uint8Array, maxDepth: number, out: Int32Array): number;
  /** -1 when src[start, end) is valid UTF-8, else the offset of the first invalid sequence (src-native/codec/utf8_validate.h). */
  validateUtf8(src: Uint8Array, start: number, end: number, variant: number): number;
  /** Bytes encodeVarints writes for `values` (src-native/codec/varint_encode.h). */
  varintsSize(values: Int32Array | BigInt64Array | BigUint64Array, zigzag: boolean): number;
  /** Writes `values` as varints at dst[offset]; the offset after them, or -1 without room (src-native/codec/varint_encode.h). */
  encodeVarints(values: Int32Array | BigInt64Array | BigUint64Array, zigzag: boolean, dst: Uint8Array, offset: number, variant: number): number;
  /**
   * Examines the frame at the start of `bytes` as NativeSocket does (src-native/io/frame_scan.h),
   * for tests that hold it to the TypeScript scanners. Framing: 0 length-prefixed, 1 unframed
   * Binary, 2 sniff, 3 unframed Compact. Returns [status (0 complete, 1 need more, 2 bad frame,
   * 3 too large), frame length, bytes needed, error offset].
   */
  scanFrame?(bytes: Uint8Array, framing: number, maxFrame: number): [number, number, number, number];
  /**
   * A TCP socket bound with SO_REUSEPORT and listening (src-native/io/reuse_port.h), for a worker
   * thread's share of a port: [fd, bound port], or [-errno, 0]. `host` is a numeric address.
   */
  listenReusePort?(host: string, port: number, backlog: number): [number, number];
  /** Hands a serialized Thrift JSON descriptor table to the addon; its handle (src-native/codec/thrift_json.h). */
  thriftJsonTable?(ints: Int32Array, bytes: Uint8Array): unknown;
  /**
   * JSON to wire bytes, written into `dst`: their size, or -(size) when they do not fit (then
   * thriftJsonTakeInto); an error tuple; or null when the TypeScript twin must convert this input.
   */
  thriftJsonFromJsonInto?(table: unknown, body: Uint8Array, flags: number, dst: Uint8Array): number | import('./gateway/native-json-call.js').NativeJsonError | null;
  /** Wire bytes to JSON, written into `dst`, with results as thriftJsonFromJsonInto's (never null). */
  thriftJsonToJsonInto?(table: unknown, bytes: Uint8Array, flags: number, dst: Uint8Array): number | import('./gateway/native-json-call.js').NativeJsonError;
  /** Copies the bytes a transcode into a too small `dst` kept. */
  thriftJsonTakeInto?(table: unknown, dst: Uint8Array): void;
  /** Hands a serialized Protobuf JSON descriptor table to the addon; its handle (src-native/codec/proto_json.h). */
  protoJsonTable?(ints: Int32Array, bytes: Uint8Array): unknown;
  /** ProtoJSON to wire bytes, written into `dst`, with results as thriftJsonFromJsonInto's. */
  protoJsonFromJsonInto?(table: unknown, body: Uint8Array, flags: number, dst: Uint8Array): number | import('./gateway/native-json-call.js').NativeJsonError | null;
  /** Protobuf wire bytes to ProtoJSON into `dst`: as protoJsonFromJsonInto. */
  protoJsonToJsonInto?(table: unknown, wire: Uint8Array, flags: number, dst: Uint8Array): number | import('./gateway/native-json-call.js').NativeJsonError | null;
  /** Copies the bytes a protoJsonFromJsonInto or protoJsonToJsonInto into a too small `dst` kept. */
  protoJsonTakeInto?(table: unknown, dst: Uint8Array): void;
  /** The native I/O path of RPC connections (src-native/io/native_socket.h). */
  NativeSocket?: import('./rpc/native-connection.js').NativeSocketConstructor;
}

/** Whether the native addon is in use, and what it can do. */
export interface NativeStatus {
  /** True when heddle.node loaded; false means every path is the pure-TypeScript one. */
  readonly loaded: boolean;
  /**
   * SIMD features the kernels use on this CPU: any of 'sse4.2', 'avx2', 'avx512bw', 'avx512vbmi2'
   * (with VBMI, VL and CD: the 8-varints-per-step decoder), 'bmi2' (only where pdep is fast, so not
   * on AMD before Zen 3), 'neon'. Empty when not loaded.
   */
  readonly features: readonly string[];
  /** Why the addon is not loaded (HEDDLE_NO_NATIVE, no prebuild for this platform and C library, load error). */
  readonly reason?: string;
  /** The file the addon was loaded from. */
  readonly path?: string;
}

// Both src-ts/ (under vitest) and dist/ sit one level below the package root.
const packageRoot = join(__dirname, '..');

/**
 * The C library the running Node is linked against, on Linux: prebuilds exist for both, and a
 * glibc addon does not load into a musl process (nor the reverse). Read from the ELF interpreter
 * of the Node binary (ld-linux-* or ld-musl-*), which costs two small reads; process.report, the
 * other reliable source, takes about 15 ms.
 */
export function runningLibc(): 'glibc' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  const interpreter = elfInterpreter(process.execPath);
  if (interpreter?.includes('ld-musl-')) return 'musl';
  if (interpreter?.includes('ld-linux')) return 'glibc';
  // A static or unusual Node: Node's report states the glibc it runs on, and nothing on musl.
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime !== undefined ? 'glibc' : 'musl';
}

/** The PT_INTERP path of a 64-bit little-endian ELF file, or undefined. */
function elfInterpreter(file: string): string | undefined {
  const PT_INTERP = 3;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const header = Buffer.alloc(64);
    if (readSync(fd, header, 0, 64, 0) < 64 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    if (header[4] !== 2 || header[5] !== 1) return undefined; // ELFCLASS64, little-endian
    const tableOffset = Number(header.readBigUInt64LE(32));
    const entrySize = header.readUInt16LE(54);
    const entries = header.readUInt16LE(56);
    const table = Buffer.alloc(entrySize * entries);
    readSync(fd, table, 0, table.length, tableOffset);
    for (let i = 0; i < entries; i++) {
      const entry = i * entrySize;
      if (table.readUInt32LE(entry) !== PT_INTERP) continue;
      const size = Math.min(Number(table.readBigUInt64LE(entry + 32)), 4096);
      const path = Buffer.alloc(size);
      readSync(fd, path, 0, size, Number(table.readBigUInt64LE(entry + 8)));
      return path.toString('latin1').replace(/\0.*$/s, '');
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The files the loader tries, in order: a local build (`npm run build:native`, or the install
 * script's fallback build), then the prebuild for this platform, architecture and C library.
 */
export function addonCandidates(root: string = packageRoot, libc: 'glibc' | 'musl' | undefined = runningLibc()): string[] {
  const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`, libc === undefined ? 'heddle.node' : `heddle.${libc}.node`);
  return [join(root, 'build', 'Release', 'heddle.node'), prebuild];
}

function loadAddon(): { addon?: NativeAddon; status: NativeStatus } {
  if (process.env.HEDDLE_NO_NATIVE === '1') {
    return { status: { loaded: false, features: [], reason: 'disabled by HEDDLE_NO_NATIVE=1' } };
  }
  // HEDDLE_ADDON_PATH selects a specific build, e.g. the sanitizer build of `npm run test:asan`.
  const override = process.env.HEDDLE_ADDON_PATH || undefined;
  const libc = override === undefined ? runningLibc() : undefined;
  const candidates = override !== undefined ? [override] : addonCandidates(packageRoot, libc).filter((file) => existsSync(file));
  if (candidates.length === 0) {
    const target = `${process.platform}-${process.arch}${libc === undefined ? '' : ` (${libc})`}`;
    const reason = `no prebuild for ${target} and no local build: run \`npm run build:native\` (needs a C++20 compiler)`;
    return { status: { loaded: false, features: [], reason } };
  }
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      const addon = require(path) as NativeAddon;
      return { addon, status: { loaded: true, features: Object.freeze(addon.cpuFeatures()), path } };
    } catch (error) {
      failures.push(error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error));
    }
  }
  return { status: { loaded: false, features: [], reason: failures.join('; ') } };
}

const loaded = loadAddon();

/** Native addon status: `native.loaded`, `native.features`, `native.reason`. */
export const native: NativeStatus = Object.freeze(loaded.status);

/** The addon's functions, or undefined when it did not load. Internal to heddle. */
export const nativeAddon: NativeAddon | undefined = loaded.addon;
