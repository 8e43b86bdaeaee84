import type { LinkCursor } from '../buffer/link-cursor.js';

/** What a scanner's stack frame is inside. */
export const STRUCT = 0;
export const LIST = 1;
export const MAP = 2;
/** `scan`'s answer when more bytes are needed. */
export const MORE = -1;
/** `nextElementType`'s answer when the top of the stack is a struct, whose field header says the type. */
export const FIELD = -1;
/** `nextElementType`'s answer when the stack is empty: the message is whole. */
export const DONE = -2;

/**
 * The resumable state the Binary and Compact message scanners share: how far the message has been
 * scanned (always a value boundary), how many bytes the next step needs, and the stack of structs
 * and containers being skipped. The scanners differ in how they read headers and values; this is
 * where they keep their place.
 */
export abstract class ThriftScanState {
  /** Bytes of the message scanned so far (always a value boundary). */
  protected position = 0;
  /** After a "need more" answer: how many message bytes must be present before another scan can
   * make progress. Readers skip scanning until then. */
  needed = 0;
  protected inBody = false;
  protected depth = 0;
  protected readonly kinds: Uint8Array;
  protected readonly keyTypes: Uint8Array;
  protected readonly valueTypes: Uint8Array;
  /** Elements left in each container (a map counts keys and values apart). */
  protected readonly remaining: Float64Array;

  constructor(
    protected readonly maxDepth: number,
    protected readonly maxSize: number,
  ) {
    this.kinds = new Uint8Array(maxDepth + 1);
    this.keyTypes = new Uint8Array(maxDepth + 1);
    this.valueTypes = new Uint8Array(maxDepth + 1);
    this.remaining = new Float64Array(maxDepth + 1);
  }

  /** Forgets the current message, to scan the next one. */
  reset(): void {
    this.position = 0;
    this.needed = 0;
    this.inBody = false;
    this.depth = 0;
  }

  /**
   * The type of the next element of the container on top of the stack, popping containers that
   * are done; FIELD once the top is a struct, DONE once the stack is empty.
   */
  protected nextElementType(): number {
    while (this.depth > 0) {
      const top = this.depth - 1;
      if (this.kinds[top] === STRUCT) return FIELD;
      const left = this.remaining[top] as number;
      if (left > 0) return this.kinds[top] === MAP && left % 2 === 0 ? (this.keyTypes[top] as number) : (this.valueTypes[top] as number);
      this.depth--;
    }
    return DONE;
  }

  /** Takes the struct on top of the stack's STOP byte and leaves the struct. */
  protected leaveStruct(cursor: LinkCursor): void {
    this.commit(cursor, 1);
    this.depth--;
  }

  /** Enters a struct or container (its depth already checked). */
  protected push(kind: number, keyType: number, valueType: number, count: number): void {
    const top = this.depth++;
    this.kinds[top] = kind;
    this.keyTypes[top] = keyType;
    this.valueTypes[top] = valueType;
    this.remaining[top] = count;
  }

  /** Takes `n` bytes as scanned, and counts one element off the parent when it is a container. */
  protected commitValue(cursor: LinkCursor, n: number, parent: number): void {
    this.commit(cursor, n);
    if (this.kinds[parent] !== STRUCT) this.remaining[parent]--;
  }

  protected commit(cursor: LinkCursor, n: number): void {
    cursor.advance(n);
    this.position += n;
  }
}
