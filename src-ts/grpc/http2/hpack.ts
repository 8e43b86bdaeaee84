import { ErrorCode, HeddleError } from '../../errors.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from './hpack-huffman.js';

/** RFC 7541 Appendix A: the static table, index 1 first. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
const STATIC_COUNT = STATIC_TABLE.length;
/** RFC 7541 4.1: an entry's size is its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;
/** The HPACK table size both sides start with (SETTINGS_HEADER_TABLE_SIZE default). */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/** Decoded header fields, flat: name, value, name, value, ... in block order. */
export type HeaderFields = string[];

/** What one header block decoded to. */
export interface DecodedBlock {
  fields: HeaderFields;
  /** The fields' RFC 9113 list size (name + value + 32 each) passed the limit: `fields` stops
   * before the field that passed it, and the block was still decoded to keep the table in step. */
  tooLarge: boolean;
}

function hpackError(message: string, offset: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_FRAME, `HPACK: ${message}`, { offset });
}

/** A dynamic table (RFC 7541 2.3.2): newest entry last in the arrays, index 62 in HPACK terms. */
class DynamicTable {
  readonly names: string[] = [];
  readonly values: string[] = [];
  size = 0;

  constructor(public maxSize: number) {}

  get length(): number {
    return this.names.length;
  }

  add(name: string, value: string): void {
    const entry = name.length + value.length + ENTRY_OVERHEAD;
    this.evictTo(this.maxSize - entry);
    if (entry > this.maxSize) return; // too big for the table: it empties it and is not kept
    this.names.push(name);
    this.values.push(value);
    this.size += entry;
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    let drop = 0;
    while (this.size > Math.max(0, limit) && drop < this.names.length) {
      this.size -= this.names[drop]!.length + this.values[drop]!.length + ENTRY_OVERHEAD;
      drop++;
    }
    if (drop > 0) {
      this.names.splice(0, drop);
      this.values.splice(0, drop);
    }
  }
}

/**
 * An HPACK decoder (RFC 7541): static and dynamic tables, dynamic table size updates, Huffman
 * strings. One per connection, fed every header block in the order received. Malformed input
 * is ERR_BAD_FRAME with the byte offset in the block (an HTTP/2 COMPRESSION_ERROR).
 */
export class HpackDecoder {
  private readonly table: DynamicTable;

  /** `maxTableSize` is what this side advertised as SETTINGS_HEADER_TABLE_SIZE. */
  constructor(private readonly maxTableSize = DEFAULT_HEADER_TABLE_SIZE) {
    this.table = new DynamicTable(maxTableSize);
  }

  /** The dynamic table's size in RFC 7541 octets. */
  get tableSize(): number {
    return this.table.size;
  }

  /** The dynamic table's entries, newest first (index 62 first), for tests and debugging. */
  tableEntries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = this.table.length - 1; i >= 0; i--) out.push([this.table.names[i]!, this.table.values[i]!]);
    return out;
  }

  /** Decodes one complete header block; fields past `maxListSize` are decoded but dropped. */
  decode(block: Uint8Array, maxListSize = Infinity): DecodedBlock {
    const fields: HeaderFields = [];
    let listSize = 0;
    let tooLarge = false;
    let at = 0;
    let sawField = false;
    const end = block.length;
    // Integers and strings read by the helpers below advance `at`.
    const readInteger = (prefixBits: number): number => {
      const mask = (1 << prefixBits) - 1;
      let value = block[at++]! & mask;
      if (value < mask) return value;
      let shift = 0;
      for (;;) {
        if (at >= end) throw hpackError('integer runs past the end of the block', at);
        const byte = block[at++]!;
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if ((byte & 0x80) === 0) break;
        if (shift > 28) throw hpackError('integer longer than 5 continuation bytes', at);
      }
      if (value > 0x7fffffff) throw hpackError(`integer ${value} exceeds 2^31-1`, at);
      return value;
    };
    const readString = (): string => {
      if (at >= end) throw hpackError('string length missing', at);
      const huffman = (block[at]! & 0x80) !== 0;
      const length = readInteger(7);
      if (length > end - at) throw hpackError(`string of ${length} bytes runs past the end of the block`, at);
      const start = at;
      at += length;
      if (huffman) return huffmanDecode(block.subarray(start, at), start);
      return Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
    };
    const entry = (index: number, offset: number): number => {
      if (index === 0) throw hpackError('index 0', offset);
      if (index <= STATIC_COUNT) return -index;
      const dynamic = index - STATIC_COUNT - 1;
      if (dynamic >= this.table.length) throw hpackError(`index ${index} beyond the ${STATIC_COUNT + this.table.length} entries`, offset);
      return this.table.length - 1 - dynamic;
    };
    const nameOf = (slot: number): string => (slot < 0 ? STATIC_TABLE[-slot - 1]![0] : this.table.names[slot]!);
    const valueOf = (slot: number): string => (slot < 0 ? STATIC_TABLE[-slot - 1]![1] : this.table.values[slot]!);
    const emit = (name: string, value: string): void => {
      if (tooLarge) return;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > maxListSize) {
        tooLarge = true;
        return;
      }
      fields.push(name, value);
    };
    while (at < end) {
      const start = at;
      const byte = block[at]!;
      if (byte & 0x80) {
        const slot = entry(readInteger(7), start);
        emit(nameOf(slot), valueOf(slot));
        sawField = true;
      } else if (byte & 0x40) {
        const index = readInteger(6);
        const name = index === 0 ? readString() : nameOf(entry(index, start));
        const value = readString();
        this.table.add(name, value);
        emit(name, value);
        sawField = true;
      } else if (byte & 0x20) {
        // RFC 7541 4.2: a size update comes at the start of a block, within the advertised limit.
        if (sawField) throw hpackError('dynamic table size update after a header field', start);
        const size = readInteger(5);
        if (size > this.maxTableSize) throw hpackError(`dynamic table size update to ${size} exceeds the ${this.maxTableSize} allowed`, start);
        this.table.resize(size);
      } else {
        // Literal without indexing (0000) or never indexed (0001): same shape, 4-bit prefix.
        const index = readInteger(4);
        const name = index === 0 ? readString() : nameOf(entry(index, start));
        emit(name, readString());
        sawField = true;
      }
    }
    return { fields, tooLarge };
  }
}

/** Headers the encoder adds to the dynamic table: repeated call after call with the same value. */
const INDEXED_NAMES = new Set([':authority', ':path', 'content-type', 'te', 'grpc-accept-encoding', 'grpc-encoding', 'user-agent']);
/** Headers whose name repeats but whose value changes call to call: the first one is added to the
 * table so later ones refer to its name, and their values are never indexed (they would churn it). */
const NAME_INDEXED_NAMES = new Set(['grpc-timeout']);

const staticExact = new Map<string, number>();
const staticName = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  staticExact.set(`${name}\0${value}`, i + 1);
  if (!staticName.has(name)) staticName.set(name, i + 1);
});

/**
 * An HPACK encoder: fully indexed static entries, incremental indexing of the names in
 * INDEXED_NAMES (so `:path` and `content-type` cost one byte after the first call), literals
 * without indexing for the rest; Huffman coding when asked. One per connection; blocks must be
 * sent in the order they are encoded.
 */
export class HpackEncoder {
  private readonly table: DynamicTable;
  /** name\0value -> insertion number of the dynamic entry (absolute, so eviction needs no rewrite). */
  private readonly dynamicExact = new Map<string, number>();
  /** name -> insertion number of the newest dynamic entry with that name. */
  private readonly dynamicName = new Map<string, number>();
  private inserted = 0;
  private pendingSizeUpdate: number | undefined;
  private smallestPendingSize: number | undefined;
  private scratch = Buffer.allocUnsafe(4096);

  private readonly huffman: boolean;
  private readonly indexAll: boolean;

  /** `huffman` codes strings when that is shorter; `indexAll` adds every literal to the table
   * (as RFC 7541 Appendix C's examples do) instead of only INDEXED_NAMES. */
  constructor(options: { huffman?: boolean; indexAll?: boolean; maxTableSize?: number } = {}) {
    this.huffman = options.huffman ?? false;
    this.indexAll = options.indexAll ?? false;
    this.table = new DynamicTable(options.maxTableSize ?? DEFAULT_HEADER_TABLE_SIZE);
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE changed: the table follows (at most 4096, what this
   * encoder needs), announced at the start of the next block. */
  setMaxTableSize(size: number): void {
    const next = Math.min(size, DEFAULT_HEADER_TABLE_SIZE);
    if (next === this.table.maxSize) return;
    // RFC 7541 4.2: when the size went down and back up between blocks, the smallest is signalled first.
    this.smallestPendingSize = Math.min(this.smallestPendingSize ?? next, next);
    this.table.resize(next);
    this.forgetEvicted();
    this.pendingSizeUpdate = next;
  }

  /** Encodes `fields` (flat name, value pairs, names lowercase) as one header block. The result
   * is a view of scratch memory, valid until the next call. */
  encode(fields: readonly string[]): Buffer {
    let at = 0;
    if (this.pendingSizeUpdate !== undefined) {
      if (this.smallestPendingSize! < this.pendingSizeUpdate) at = this.writeInteger(at, 0x20, 5, this.smallestPendingSize!);
      at = this.writeInteger(at, 0x20, 5, this.pendingSizeUpdate);
      this.pendingSizeUpdate = undefined;
      this.smallestPendingSize = undefined;
    }
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      const key = `${name}\0${value}`;
      const exact = staticExact.get(key);
      if (exact !== undefined) {
        at = this.writeInteger(at, 0x80, 7, exact);
        continue;
      }
      const dynamic = this.dynamicExact.get(key);
      if (dynamic !== undefined) {
        at = this.writeInteger(at, 0x80, 7, STATIC_COUNT + 1 + this.inserted - dynamic);
        continue;
      }
      const indexed = this.indexAll || INDEXED_NAMES.has(name) || (NAME_INDEXED_NAMES.has(name) && !this.dynamicName.has(name));
      if (indexed && name.length + value.length + ENTRY_OVERHEAD <= this.table.maxSize) {
        const nameIndex = staticName.get(name) ?? this.dynamicNameIndex(name);
        at = this.writeInteger(at, 0x40, 6, nameIndex);
        if (nameIndex === 0) at = this.writeString(at, name);
        at = this.writeString(at, value);
        this.table.add(name, value);
        this.inserted++;
        this.dynamicExact.set(key, this.inserted);
        this.dynamicName.set(name, this.inserted);
        this.forgetEvicted();
      } else {
        const nameIndex = staticName.get(name) ?? this.dynamicNameIndex(name);
        at = this.writeInteger(at, 0x00, 4, nameIndex);
        if (nameIndex === 0) at = this.writeString(at, name);
        at = this.writeString(at, value);
      }
    }
    return this.scratch.subarray(0, at);
  }

  /** The HPACK index of a dynamic entry named `name`, or 0 for none. */
  private dynamicNameIndex(name: string): number {
    const number = this.dynamicName.get(name);
    return number === undefined ? 0 : STATIC_COUNT + 1 + this.inserted - number;
  }

  /** Drops lookups of entries the table evicted (the oldest `inserted - length` ones). */
  private forgetEvicted(): void {
    const oldestKept = this.inserted - this.table.length + 1;
    for (const [key, number] of this.dynamicExact) if (number < oldestKept) this.dynamicExact.delete(key);
    for (const [name, number] of this.dynamicName) if (number < oldestKept) this.dynamicName.delete(name);
  }

  private ensure(at: number, bytes: number): void {
    if (at + bytes <= this.scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, at + bytes));
    this.scratch.copy(grown, 0, 0, at);
    this.scratch = grown;
  }

  private writeInteger(at: number, pattern: number, prefixBits: number, value: number): number {
    this.ensure(at, 6);
    const out = this.scratch;
    const max = (1 << prefixBits) - 1;
    if (value < max) {
      out[at++] = pattern | value;
      return at;
    }
    out[at++] = pattern | max;
    value -= max;
    while (value >= 0x80) {
      out[at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    out[at++] = value;
    return at;
  }

  private writeString(at: number, text: string): number {
    if (this.huffman) {
      const raw = Buffer.from(text, 'latin1');
      const length = huffmanEncodedLength(raw);
      if (length < raw.length) {
        at = this.writeInteger(at, 0x80, 7, length);
        this.ensure(at, length);
        return huffmanEncode(raw, this.scratch, at);
      }
    }
    at = this.writeInteger(at, 0x00, 7, text.length);
    this.ensure(at, text.length);
    return at + this.scratch.write(text, at, 'latin1');
  }
}
