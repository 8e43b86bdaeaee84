/**
 * The output of Protobuf patch and project, built inside out: a message's new payload is known
 * (and so its length prefix) only after the parts inside it are. Views of the input stay views;
 * adjacent views of one buffer are merged.
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { Pieces, type PieceOutputOptions } from './pieces.js';

const EMPTY = new Uint8Array(0);

export class Parts {
  readonly list: Uint8Array[] = [];
  length = 0;

  /** `input` is the buffer most views are of; it only names what the parts view, nothing is read. */
  constructor(readonly input: Uint8Array) {}

  /** Appends buf[start, end) as a view, merged with the previous part when that view ends at start. */
  view(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last.buffer === buf.buffer && last.byteOffset + last.length === buf.byteOffset + start) {
      this.list[this.list.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + end - start);
    } else this.list.push(buf.subarray(start, end));
    this.length += end - start;
  }

  /** Appends new bytes. */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.list.push(bytes);
    this.length += bytes.length;
  }

  /** Appends every part of `other`. */
  take(other: Parts): void {
    for (const part of other.list) this.view(part, 0, part.length);
  }

  /** The parts as one Uint8Array (a copy unless there is a single part). */
  join(): Uint8Array {
    return this.list.length === 1 ? this.list[0]! : concatBytes(this.list);
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
