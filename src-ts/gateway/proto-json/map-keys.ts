/**
 * Duplicate map and Struct keys found without a string per key: up to {@link LINEAR} keys are
 * compared in place (the key's bytes in the JSON, or an integer key's halves); past that, or at
 * the first key with escapes, the keys seen so far move into a Set of strings, so a hostile map
 * with thousands of keys costs a hash lookup per key, not a scan.
 */
import { ByteSink } from '../byte-sink.js';
import type { JsonReader } from '../json-reader.js';

const LINEAR = 32;
const scratch = new ByteSink();

export class MapKeys {
  /** String keys: [start, end) pairs in the JSON; integer keys: [hi, lo] pairs. */
  private readonly seen: number[] = [];
  private set: Set<string> | undefined;

  constructor(
    private readonly reader: JsonReader,
    /** String keys (compared as bytes); otherwise integer keys, given as the reader's hi/lo. */
    private readonly strings: boolean,
  ) {}

  /** Adds the key `[start, end)` of the JSON (for integer keys: the reader's hi/lo); false when it was already there. */
  add(start: number, end: number, escaped: boolean): boolean {
    const seen = this.seen;
    if (this.set === undefined && (escaped || seen.length >= 2 * LINEAR)) {
      this.set = new Set();
      for (let i = 0; i < seen.length; i += 2) this.set.add(this.strings ? this.text(seen[i]!, seen[i + 1]!, false) : `${seen[i]}:${seen[i + 1]}`);
    }
    if (this.set !== undefined) {
      const key = this.strings ? this.text(start, end, escaped) : `${this.reader.hi}:${this.reader.lo}`;
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    if (this.strings) {
      const b = this.reader.src;
      const n = end - start;
      for (let i = 0; i < seen.length; i += 2) {
        const s = seen[i]!;
        if (seen[i + 1]! - s !== n) continue;
        let k = 0;
        while (k < n && b[s + k] === b[start + k]) k++;
        if (k === n) return false;
      }
      seen.push(start, end);
    } else {
      const { hi, lo } = this.reader;
      for (let i = 0; i < seen.length; i += 2) if (seen[i] === hi && seen[i + 1] === lo) return false;
      seen.push(hi, lo);
    }
    return true;
  }

  private text(start: number, end: number, escaped: boolean): string {
    const r = this.reader;
    if (!escaped) return Buffer.from(r.src.buffer, r.src.byteOffset + start, end - start).toString('utf8');
    scratch.pos = 0;
    r.unescape(start, end, scratch);
    return Buffer.from(scratch.buf.buffer, 0, scratch.pos).toString('utf8');
  }
}
