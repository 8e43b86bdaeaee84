/**
 * Small byte arrays carved out of shared 64 KiB slabs. Allocating a Uint8Array of its own costs
 * an ArrayBuffer (about a microsecond in V8, more than encoding a small message), so encoded
 * messages and decoded `bytes` fields up to 4 KiB are views into a slab instead, as Node's
 * Buffer.allocUnsafe does. Each view's `byteOffset` says where it starts in `buffer`.
 */

const SLAB_SIZE = 64 * 1024;
const MAX_POOLED = 4 * 1024;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/**
 * The unused rest of the current slab, lent to one encoder at a time so it writes a message where
 * the result will live instead of into scratch memory that is then copied out: `bytes` and `view`
 * cover the whole slab (made once per slab), `start` is where the encoder begins writing.
 */
export const poolWindow = {
  open: false,
  buffer: slab,
  bytes: new Uint8Array(slab),
  view: new DataView(slab),
  start: 0,
};

function freshSlab(): void {
  slab = new ArrayBuffer(SLAB_SIZE);
  used = 0;
  poolWindow.open = false;
}

/** A zero-filled (or slab-recycled, then overwritten by the caller) array of `length` bytes. */
export function allocBytes(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  const at = carve(length);
  return new Uint8Array(slab, at, length);
}

/** Reserves `length` bytes of the current slab (a fresh one when it is full); returns where
 * they start in `slab`. */
function carve(length: number): number {
  // An encoder writing into the open pool window owns the rest of its slab until it claims its
  // bytes, so what is carved meanwhile (an Any's packed message) comes from a fresh slab.
  if (used + length > SLAB_SIZE || poolWindow.open) freshSlab();
  const at = used;
  // Keep views 8-byte aligned so callers may put wider TypedArrays over them.
  used = (used + length + 7) & ~7;
  return at;
}

/**
 * Up to this many bytes, V8 keeps a new Uint8Array's bytes inside the object itself, with no
 * ArrayBuffer to allocate (V8's typed-array on-heap limit).
 */
const ON_HEAP_MAX = 64;

/** A copy of src[start, end), pooled or on the V8 heap. */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  // Measured on Node 20: a slice of 25-64 bytes costs about 32 ns, a pooled view plus copy about
  // 47 ns; below that the pooled view filled by a loop is as fast. A Buffer's slice would be a
  // Buffer, not a plain copy, so only plain arrays take it.
  if (length > 24 && length <= ON_HEAP_MAX && src.constructor === Uint8Array) return src.slice(start, end);
  const out = allocBytes(length);
  if (length <= 24) {
    for (let i = 0; i < length; i++) out[i] = src[start + i]!;
  } else {
    out.set(src.subarray(start, end));
  }
  return out;
}

/**
 * Node's own Buffer class (what `Buffer.allocUnsafe` constructs), reached through
 * `Buffer[Symbol.species]`. Constructing it over a slab costs what a Uint8Array view does, about
 * 25 ns, where `Buffer.from(arrayBuffer, offset, length)` costs over 100 ns in argument checks and
 * a Buffer over an on-heap Uint8Array's `.buffer` about 300 ns (V8 moves the bytes off the heap).
 * Undefined where there is no Buffer.
 */
const NodeBuffer = (globalThis as { Buffer?: { [Symbol.species]?: new (buffer: ArrayBuffer, offset: number, length: number) => Uint8Array } })
  .Buffer?.[Symbol.species];

/**
 * A Node Buffer of `length` bytes for the caller to fill (a plain Uint8Array where there is no
 * Buffer), a view into the same slabs as {@link allocBytes} up to 4 KiB: `Buffer.allocUnsafe`
 * carves only 8 KiB pools, an ArrayBuffer every few kilobytes of messages.
 */
export function allocBuffer(length: number): Uint8Array {
  if (NodeBuffer === undefined) return allocBytes(length);
  if (length > MAX_POOLED) return new NodeBuffer(new ArrayBuffer(length), 0, length);
  const at = carve(length);
  return new NodeBuffer(slab, at, length);
}

/**
 * A copy of src[start, end) as a Node Buffer (a plain Uint8Array where there is no Buffer), a
 * view into the same slabs as {@link allocBytes} up to 4 KiB: what protobufjs-style callers
 * (grpc-js serializers, `bytes` fields decoded as Buffers) expect, without a Buffer allocation.
 */
export function copyToBuffer(src: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  if (NodeBuffer === undefined) return copyBytes(src, start, end);
  const out = allocBuffer(length);
  if (length <= 24) {
    for (let i = 0; i < length; i++) out[i] = src[start + i]!;
  } else {
    // A plain view, not src.subarray: when src is a Buffer (grpc-js hands deserializers Buffers)
    // subarray goes through Buffer's species constructor, about twice the cost.
    out.set(new Uint8Array(src.buffer, src.byteOffset + start, length));
  }
  return out;
}

/**
 * Opens {@link poolWindow} with at least `room` bytes after `start` (a fresh slab when the current
 * one has less left; its tail is abandoned, as Node's Buffer pool abandons its own). The caller
 * writes from `start` on and ends with {@link claimPoolWindow} (or just stops: bytes never claimed
 * are simply reused).
 */
export function openPoolWindow(room: number): typeof poolWindow {
  if (used + room > SLAB_SIZE) freshSlab();
  if (poolWindow.buffer !== slab) {
    poolWindow.buffer = slab;
    poolWindow.bytes = new Uint8Array(slab);
    poolWindow.view = new DataView(slab);
  }
  poolWindow.start = used;
  poolWindow.open = true;
  return poolWindow;
}

/**
 * Closes {@link poolWindow}, handing out [start, end) of its slab as a Node Buffer that nothing
 * will write over: the slab's free space moves past it, or, if something carved a fresh slab
 * meanwhile, the window's slab is never written again.
 */
export function claimPoolWindow(end: number): Uint8Array {
  const { buffer, start } = poolWindow;
  if (poolWindow.open) used = (end + 7) & ~7;
  poolWindow.open = false;
  return new NodeBuffer!(buffer, start, end - start);
}

/** A copy of src[0, end) as a Node Buffer over an ArrayBuffer of its own, outside the pool. */
export function copyOutsidePool(src: Uint8Array, end: number): Uint8Array {
  return new NodeBuffer!(src.slice(0, end).buffer, 0, end);
}

/** Closes {@link poolWindow} without claiming anything (the encoder failed or wrote elsewhere). */
export function closePoolWindow(): void {
  poolWindow.open = false;
}

/** Whether {@link allocBuffer} makes Node Buffers (so pooled encoders may hand out slab views). */
export const hasNodeBuffer = NodeBuffer !== undefined;

/**
 * Messages whose predecessor was larger than this are encoded in scratch memory and copied out.
 * The copy is what the pool window saves, and it only shows on small messages: on the same
 * process's before/after runs, 77-1,081-byte messages took 4-17% less CPU time, 2.2-2.3 KB ones
 * (Nesting, Longs) the same, and 2.6-2.8 KB ones with a 2,000-char name about 14% more.
 */
export const POOL_WINDOW_MAX = 2 * 1024;
