/**
 * The output of Protobuf patch and project, built inside out: a message's new payload is known
 * (and so its length prefix) only after the parts inside it are. Views of the input stay views;
 * adjacent views of one buffer are merged.
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { Pieces, type PieceOutputOptions } from './pieces.js';

const EMPTY = new Uint8Array(0);

export class Parts {
  /** Part i is sources[i][starts[i], ends[i]): kept as ranges (subarrays are made once, at the end)
   * so that adjacent ranges of one source merge without asking a small array for its `.buffer`. */
  private readonly sources: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  length = 0;

  /** `input` is the buffer most views are of; it only names what the parts view, nothing is read. */
  constructor(readonly input: Uint8Array) {}

  /** Appends buf[start, end) as a view, merged with the previous part when that one ends at start of the same buf. */
  view(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    const last = this.sources.length - 1;
    if (last >= 0 && this.sources[last] === buf && this.ends[last] === start) this.ends[last] = end;
    else {
      this.sources.push(buf);
      this.starts.push(start);
      this.ends.push(end);
    }
    this.length += end - start;
  }

  /** Appends new bytes. */
  append(bytes: Uint8Array): void {
    this.view(bytes, 0, bytes.length);
  }

  /** Appends every part of `other`. */
  take(other: Parts): void {
    for (let i = 0; i < other.sources.length; i++) this.view(other.sources[i]!, other.starts[i]!, other.ends[i]!);
  }

  /** The parts as views. */
  get list(): Uint8Array[] {
    return this.sources.map((source, i) => (this.starts[i] === 0 && this.ends[i] === source.length ? source : source.subarray(this.starts[i], this.ends[i])));
  }

  /** The parts as one Uint8Array (a copy unless there is a single part). */
  join(): Uint8Array {
    const list = this.list;
    return list.length === 1 ? list[0]! : concatBytes(list);
  }

  finish(options: PieceOutputOptions | undefined): LinkBuffer | Uint8Array {
    const pieces = new Pieces(EMPTY);
    for (const part of this.list) pieces.bytes(part);
    return pieces.finish(options);
  }
}

/** `chunks` joined into one new Uint8Array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
