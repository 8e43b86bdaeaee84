import { asFault, CodecFault, withPath } from './codec-fault.js';

/**
 * Less frequent decoding steps called by generated decoders: error paths, oneof switching,
 * TypedArray merging.
 */

/** Field names by number for one message, and whether each is repeated (for error paths). */
export type FieldNames = Readonly<Record<number, readonly [name: string, repeated: boolean]>>;

/**
 * Adds the field being decoded when `error` happened (known from its tag) to the error's path.
 * For repeated fields the index is the number of elements decoded so far.
 */
export function fieldFault(error: unknown, tag: number, names: FieldNames, message: Record<string, unknown>): CodecFault {
  const entry = names[tag >>> 3];
  if (entry === undefined) return asFault(error);
  const [name, repeated] = entry;
  if (!repeated) return withPath(error, name);
  const value = message[name] as { length?: number } | undefined;
  return withPath(error, name, typeof value?.length === 'number' ? value.length : undefined);
}

/** The fault for a proto2 required field missing from the input. */
export function missingRequired(field: string): CodecFault {
  const fault = new CodecFault('ERR_REQUIRED_FIELD', 'required field missing');
  fault.segments.push(field);
  return fault;
}

/** When a oneof member arrives, the member set before it (if another) goes away. */
export function clearOneof(message: Record<string, unknown>, members: readonly string[], keep: string): void {
  for (const member of members) if (member !== keep && message[member] !== undefined) delete message[member];
}

/**
 * Empty arrays copied by `slice()` into the lists decoded messages hold, one per elements kind
 * so a list starts as the kind its values need. An array literal would do the same, but V8
 * pretenures literals' allocation sites: once a program keeps a few hundred decoded messages
 * while new space is at its full size (a batch, a cache, a benchmark's setup), every later list
 * of that site is made in the old generation, and the young values pushed into it are kept alive
 * through every scavenge by lists already dead, until a mark-compact. `slice()` always allocates
 * young. The templates are never handed out, so they stay empty.
 */
export const LIST_OF_VALUES: unknown[] = emptyListOfKind('');
export const LIST_OF_INTEGERS: number[] = emptyListOfKind(0);
export const LIST_OF_DOUBLES: number[] = emptyListOfKind(0.5);

function emptyListOfKind<T>(sample: T): T[] {
  const list = [sample];
  list.length = 0;
  return list;
}

type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
type NumericArrayConstructor = { new (length: number): NumericArray };

/** `head` followed by `tail`, as one TypedArray of head's kind. */
export function concatTyped(head: NumericArray, tail: ArrayLike<number | bigint>): NumericArray {
  if (head.length === 0 && tail.constructor === head.constructor) return tail as NumericArray;
  const joined = new (head.constructor as NumericArrayConstructor)(head.length + tail.length);
  // TypedArray#set takes numbers or bigints according to the array's kind; both sides match.
  (joined as Float64Array).set(head as unknown as ArrayLike<number>);
  (joined as Float64Array).set(tail as ArrayLike<number>, head.length);
  return joined;
}

/**
 * `list` followed by the numbers of `run` (a packed fixed-width run decoded by a kernel), as a
 * plain array. An empty list is replaced by a preallocated one filled by index: measured 2-4x
 * faster for 10k doubles than pushing each value as it is read.
 */
export function appendNumbers(list: number[], run: ArrayLike<number>): number[] {
  const n = run.length;
  if (list.length === 0) {
    const filled = new Array<number>(n);
    for (let i = 0; i < n; i++) filled[i] = run[i]!;
    return filled;
  }
  for (let i = 0; i < n; i++) list.push(run[i]!);
  return list;
}

/** The fault for a packed fixed-width field whose length is not a multiple of the element size. */
export function badPackedLength(offset: number, length: number, size: number): CodecFault {
  return new CodecFault('ERR_BAD_VALUE', `packed field of ${length} bytes is not a whole number of ${size}-byte values`, offset);
}

/** uint32 values decoded by the int32 varint kernel, reinterpreted without copying. */
export function asUint32(values: Int32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * A closed enum value the enum does not know, re-encoded as an unpacked varint field, as protobuf
 * keeps such values among the unknown fields.
 */
export function unknownVarint(fieldNumber: number, value: number): Uint8Array {
  const bytes: number[] = [];
  let tag = (fieldNumber << 3) >>> 0;
  while (tag > 0x7f) {
    bytes.push((tag & 0x7f) | 0x80);
    tag >>>= 7;
  }
  bytes.push(tag);
  // int32 values are sign-extended to 64 bits on the wire.
  let lo = value >>> 0;
  let hi = value < 0 ? 0xffffffff : 0;
  while (hi !== 0 || lo > 0x7f) {
    bytes.push((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  bytes.push(lo);
  return Uint8Array.from(bytes);
}
