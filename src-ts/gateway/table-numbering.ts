/**
 * What the serializers of the native transcoders' descriptor tables share
 * (thrift-json/native-table.ts, proto-json/native-table.ts): numbering the types they reach, and
 * the byte pool that names and default values point into.
 */
import { ByteSink } from './byte-sink.js';

const utf8 = new TextEncoder();

/** Numbers items in the order they are first seen; `items[i]` is the item numbered i. */
export class Numbering<T> {
  readonly items: T[] = [];
  private readonly numbers = new Map<T, number>();

  /** The item's number, given on first sight. */
  of(item: T): number {
    let i = this.numbers.get(item);
    if (i === undefined) {
      i = this.items.length;
      this.numbers.set(item, i);
      this.items.push(item);
    }
    return i;
  }

  has(item: T): boolean {
    return this.numbers.has(item);
  }
}

/** The bytes a table's (offset, length) pairs point into. */
export class TextPool {
  private readonly sink = new ByteSink();

  /** Appends `s` (as UTF-8 when a string); returns its offset and length. */
  text(s: string | Uint8Array): [number, number] {
    const b = typeof s === 'string' ? utf8.encode(s) : s;
    const at = this.sink.pos;
    this.sink.bytes(b, 0, b.length);
    return [at, b.length];
  }

  bytes(): Uint8Array {
    return this.sink.buf.slice(0, this.sink.pos);
  }
}
