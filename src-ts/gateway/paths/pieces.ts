/**
 * The output of patch and project: untouched ranges of the input (as views) interleaved with new
 * bytes, delivered as a LinkBuffer chain or, on request, one Uint8Array.
 */
import { LinkBuffer } from '../../buffer/link-buffer.js';

/** Views at least this long are linked into the LinkBuffer; shorter ones are copied (a node costs more than copying them). */
const LINK_MIN = 64;

/** Output of {@link ThriftPaths.patch} and {@link ThriftPaths.project}. */
export interface PieceOutputOptions {
  /**
   * `'linkbuffer'` (default): a LinkBuffer whose chain links the input's untouched ranges (no
   * copy; keep the input unchanged until the LinkBuffer is read and released) and the new bytes.
   * `'bytes'`: one Uint8Array of its own.
   */
  output?: 'linkbuffer' | 'bytes';
}

export class Pieces {
  readonly parts: Uint8Array[] = [];
  /** Where the last part, when it is a range of the input, ends; -1 otherwise. */
  private rangeEnd = -1;
  length = 0;

  constructor(private readonly input: Uint8Array) {}

  /** Appends input[start, end), merged with the previous range when they touch. */
  range(start: number, end: number): void {
    if (end <= start) return;
    if (this.rangeEnd === start) {
      const last = this.parts.length - 1;
      const previous = this.parts[last]!;
      this.parts[last] = this.input.subarray(previous.byteOffset - this.input.byteOffset, end);
    } else this.parts.push(this.input.subarray(start, end));
    this.rangeEnd = end;
    this.length += end - start;
  }

  /** Appends new bytes. */
  bytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.rangeEnd = -1;
    this.length += bytes.length;
  }

  finish(options: PieceOutputOptions | undefined): LinkBuffer | Uint8Array {
    if (options?.output === 'bytes') {
      const out = new Uint8Array(this.length);
      let at = 0;
      for (const part of this.parts) {
        out.set(part, at);
        at += part.length;
      }
      return out;
    }
    const out = new LinkBuffer();
    for (const part of this.parts) {
      if (part.length >= LINK_MIN) out.writeDirect(part, 0);
      else out.writeBinary(part);
    }
    out.flush();
    return out;
  }
}
