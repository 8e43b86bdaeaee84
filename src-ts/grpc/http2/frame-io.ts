import type { Socket } from 'node:net';
import { GRPC_MESSAGE_PREFIX, writeMessagePrefix } from '../message-framing.js';
import { Flag, FRAME_HEADER_SIZE, FrameType, H2Error, writeFrameHeader } from './frames.js';

/** The output block a turn's frames are copied into. */
const OUTPUT_BLOCK = 64 * 1024;
/** Written blocks a connection keeps for reuse. */
const MAX_SPARE_BLOCKS = 4;
/**
 * The longest DATA payload this side sends, whatever MAX_FRAME_SIZE the peer allows: a frame that
 * fits an output block goes into a reused one, a longer one needed a block of its own each time
 * (a heddle peer allows 256 KiB frames, and a stream's queue reaches past 64 KiB), memory V8
 * collects only with full mark-compacts once the young generation is large.
 */
export const MAX_DATA_FRAME = OUTPUT_BLOCK - FRAME_HEADER_SIZE;
/**
 * Output a connection has in flight (this turn's frames and what the socket has not yet written)
 * past which its streams' DATA waits for the next turn, or for the socket to drain. A turn then
 * fills at most the block it continues and three more, so the spare blocks cover it: eight
 * streams each sending their 64 KiB queue in one turn filled eight blocks, and the four not kept
 * were new 64 KiB ArrayBuffers each turn, which V8 counts against the old generation and, once a
 * busy period has grown the young one, collects only with full mark-compacts (30-60 per 800,000
 * streamed messages).
 */
const OUTPUT_BUDGET = 2 * OUTPUT_BLOCK;
const NOTHING = new Uint8Array(0);
/** A DATA frame is cut to fit the room left in the block being filled when at least this much is
 * left; with less, it starts the next block. */
const MIN_DATA_FILL = 1024;

/** A block frames are copied into, shared by the views written from it. */
interface OutputBlock {
  readonly bytes: Buffer;
  /** Views of it the socket has not finished writing. */
  pending: number;
  /** Frames are still being put in it. */
  filling: boolean;
  /** The write callback of its views. */
  written: () => void;
}
/** Replies (PING and SETTINGS ACKs) a peer may ask for while our output to it stays backed up:
 * a peer flooding PINGs it never reads the answers to is cut off, not buffered for. Keepalive
 * PINGs come seconds apart, and any read by the peer drains the socket and starts the count anew. */
const MAX_REPLIES_UNREAD = 10_000;

/** A frame sequence the peer broke: a connection error (GOAWAY) with its RFC 9113 code. */
export class ConnectionError extends Error {
  constructor(
    readonly h2Code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes a stream queued to send: chunks in order, the first partly sent. */
export interface SendQueue {
  readonly queue: Uint8Array[];
  /** Bytes of queue[0] already sent. */
  queueOffset: number;
  queuedBytes: number;
}

/** Bytes a stream may queue past its flow-control window before its writer is told to wait. */
const STREAM_WRITE_HIGH_WATER = 64 * 1024;

/**
 * A stream's outgoing bytes, queued until both flow-control windows let them out; a writer that
 * queues past the high-water mark gets a promise that resolves once the queue drained below it
 * or the stream closed.
 */
export class StreamSendQueue implements SendQueue {
  readonly queue: Uint8Array[] = [];
  queueOffset = 0;
  queuedBytes = 0;
  /** Bytes ever queued: minus queuedBytes, how far the stream has sent. */
  enqueuedTotal = 0;
  /** The end of the stream is queued after the bytes. */
  endQueued = false;
  closed = false;
  private drain: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Queues `bytes` (a view, kept until sent). */
  protected enqueue(bytes: Uint8Array | undefined): void {
    if (bytes === undefined || bytes.length === 0) return;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.enqueuedTotal += bytes.length;
  }

  /** What `write` returns: a promise to await while the queue is past the high-water mark. */
  protected backPressure(): Promise<void> | undefined {
    if (this.queuedBytes <= STREAM_WRITE_HIGH_WATER || this.closed) return undefined;
    if (this.drain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drain = { promise, resolve };
    }
    return this.drain.promise;
  }

  /** @internal The writer may go on: the queue fell below the high-water mark or the stream closed. */
  wake(): void {
    if (this.drain !== undefined && (this.closed || this.queuedBytes <= STREAM_WRITE_HIGH_WATER)) {
      const { resolve } = this.drain;
      this.drain = undefined;
      resolve();
    }
  }
}

/** What a flow-controlled stream asks of its session. */
export interface FlowControlOwner<S> {
  /** Credits back what the stream's reader consumed, once it is worth a WINDOW_UPDATE. */
  credit(stream: S): void;
  flushSoon(): void;
}

/**
 * What client and server streams share: the send queue, both flow-control windows, and the
 * reader's pause and resume (a paused reader's consumed bytes are not credited back, so the
 * peer's window closes).
 */
export abstract class FlowControlledStream<S extends FlowControlledStream<S>> extends StreamSendQueue {
  /** How much the peer lets this stream send. */
  sendWindow = 0;
  /** How much the peer may still send on this stream. */
  receiveWindow = 0;
  /** Bytes received and consumed but not yet credited back with WINDOW_UPDATE. */
  uncredited = 0;
  paused = false;
  /** This side sent END_STREAM. */
  localEnded = false;

  constructor(protected readonly session: FlowControlOwner<S>) {
    super();
  }

  flush(): void {
    this.session.flushSoon();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.closed) this.session.credit(this as unknown as S);
  }
}

/** What a FrameReader hands each whole frame to; `payload` is a view valid during the call. */
export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

/**
 * Cuts a byte stream into HTTP/2 frames. Whole frames inside one chunk are views of it; only a
 * frame split across chunks is copied, once, when its last byte arrives.
 */
export class FrameReader {
  private readonly partial: Buffer[] = [];
  private partialBytes = 0;
  private partialNeed = FRAME_HEADER_SIZE;

  constructor(
    /** SETTINGS_MAX_FRAME_SIZE this side advertised: a longer frame is a FRAME_SIZE_ERROR. */
    private readonly maxFrameSize: number,
    private readonly onFrame: FrameHandler,
    /** Checked after each frame: a connection that closed stops reading at once. */
    private readonly stopped: () => boolean,
  ) {}

  /** Reads `chunk`; throws ConnectionError (or whatever a handler throws) on a fault. */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.partialBytes > 0) {
      this.partial.push(chunk);
      this.partialBytes += chunk.length;
      if (this.partialBytes < this.partialNeed) return;
      data = Buffer.concat(this.partial, this.partialBytes);
      this.partial.length = 0;
      this.partialBytes = 0;
    }
    let at = 0;
    while (data.length - at >= FRAME_HEADER_SIZE) {
      const length = (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
      if (length > this.maxFrameSize) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `a frame of ${length} bytes exceeds the ${this.maxFrameSize} advertised`);
      if (data.length - at - FRAME_HEADER_SIZE < length) {
        this.partialNeed = FRAME_HEADER_SIZE + length;
        break;
      }
      const type = data[at + 3]!;
      const flags = data[at + 4]!;
      const streamId = data.readUInt32BE(at + 5) & 0x7fffffff;
      const payload = data.subarray(at + FRAME_HEADER_SIZE, at + FRAME_HEADER_SIZE + length);
      at += FRAME_HEADER_SIZE + length;
      this.onFrame(type, flags, streamId, payload);
      if (this.stopped()) return;
    }
    if (at < data.length) {
      if (data.length - at < FRAME_HEADER_SIZE) this.partialNeed = FRAME_HEADER_SIZE;
      this.partial.push(data.subarray(at));
      this.partialBytes = data.length - at;
    }
  }
}

/**
 * Collects the frames of one event-loop turn in a block and sends them in one socket write:
 * callers reserve room, write the frame in place, and ask for a flush.
 */
export class FrameWriter {
  /** The block being filled; frames are written at offsets `reserve` returns. */
  out: Buffer;
  private outLength = 0;
  /** The block `out` is a view of. */
  private current: OutputBlock;
  /** This turn's finished views, and the block of each. */
  private readonly views: Buffer[] = [];
  private readonly viewBlocks: OutputBlock[] = [];
  /** Blocks whose bytes the socket has written, for reuse: a streaming connection then fills the
   * same few blocks instead of allocating (and making the GC collect) one per 64 KiB sent. */
  private readonly spare: OutputBlock[] = [];
  private scheduled = false;
  private readonly flushNow = () => this.flush();
  /** Replies asked for since the socket last had nothing left to send. */
  private repliesUnread = 0;
  /** Bytes reserved since the last flush. */
  private turnBytes = 0;
  /** The owner held DATA back for want of room: run beforeFlush again once there is room. */
  private retry = false;
  private waitingForDrain = false;
  private readonly flushWhenDrained = () => {
    this.waitingForDrain = false;
    this.flushSoon();
  };

  constructor(
    private readonly socket: Socket,
    /** Runs before each flush: the last frames of the turn (coalesced DATA) go in then. */
    private readonly beforeFlush?: () => void,
  ) {
    this.current = this.newBlock(OUTPUT_BLOCK);
    this.out = this.current.bytes;
  }

  private newBlock(size: number): OutputBlock {
    const block: OutputBlock = { bytes: Buffer.allocUnsafe(size), pending: 0, filling: true, written: () => {} };
    block.written = () => {
      if (--block.pending === 0 && !block.filling) this.recycle(block);
    };
    return block;
  }

  private recycle(block: OutputBlock): void {
    if (block.bytes.length === OUTPUT_BLOCK && this.spare.length < MAX_SPARE_BLOCKS) this.spare.push(block);
  }

  /** Ends the view filled so far: it waits for the flush, and its block is not reused until
   * the socket wrote it. */
  private finishView(): void {
    this.views.push(this.out.subarray(0, this.outLength));
    this.viewBlocks.push(this.current);
    this.current.pending++;
  }

  /** Moves filling to a block with room for `bytes`: a spare one when it is big enough. */
  private nextBlock(bytes: number): void {
    const previous = this.current;
    previous.filling = false;
    if (previous.pending === 0) this.recycle(previous);
    const spare = bytes <= OUTPUT_BLOCK ? this.spare.pop() : undefined;
    this.current = spare ?? this.newBlock(Math.max(OUTPUT_BLOCK, bytes));
    this.current.filling = true;
    this.out = this.current.bytes;
    this.outLength = 0;
  }

  /** Counts a reply the peer asked for; see MAX_REPLIES_UNREAD. */
  private countReply(): void {
    if (this.socket.writableLength === 0) {
      this.repliesUnread = 0;
      return;
    }
    if (++this.repliesUnread > MAX_REPLIES_UNREAD) {
      throw new ConnectionError(H2Error.ENHANCE_YOUR_CALM, `the peer asked for over ${MAX_REPLIES_UNREAD} PING or SETTINGS replies without reading our output`);
    }
  }

  /** The connection has OUTPUT_BUDGET in flight: DATA should wait (see `retryLater`). */
  get congested(): boolean {
    return this.turnBytes + this.socket.writableLength >= OUTPUT_BUDGET;
  }

  /** The longest DATA payload that fits the room left in the block being filled, or a whole
   * block's worth when little is left: frames then pack blocks instead of leaving most of one
   * unused whenever a long frame does not fit the rest. */
  dataRoom(): number {
    const room = this.out.length - this.outLength - FRAME_HEADER_SIZE;
    return room >= MIN_DATA_FILL ? room : MAX_DATA_FRAME;
  }

  /** Runs beforeFlush again once output has room: the next turn, or when the socket has drained
   * if it still holds OUTPUT_BUDGET. */
  retryLater(): void {
    this.retry = true;
    this.flushSoon();
  }

  /** Room for `bytes` in the output block; returns where they go. */
  reserve(bytes: number): number {
    this.turnBytes += bytes;
    if (this.outLength + bytes > this.out.length) {
      if (this.outLength > 0) this.finishView();
      this.nextBlock(bytes);
    }
    const at = this.outLength;
    this.outLength += bytes;
    return at;
  }

  append(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.out.set(bytes, at);
  }

  /** A frame with a 4-byte payload (RST_STREAM, WINDOW_UPDATE). */
  frame32(type: number, streamId: number, value: number): void {
    const at = this.reserve(FRAME_HEADER_SIZE + 4);
    writeFrameHeader(this.out, at, 4, type, 0, streamId);
    this.out.writeUInt32BE(value, at + FRAME_HEADER_SIZE);
  }

  /** GOAWAY with `lastStreamId`, `code` and up to 256 bytes of `debug` text. */
  goaway(lastStreamId: number, code: number, debug: string): void {
    const text = Buffer.from(debug.slice(0, 256), 'utf8');
    const at = this.reserve(FRAME_HEADER_SIZE + 8 + text.length);
    writeFrameHeader(this.out, at, 8 + text.length, FrameType.GOAWAY, 0, 0);
    this.out.writeUInt32BE(lastStreamId, at + FRAME_HEADER_SIZE);
    this.out.writeUInt32BE(code, at + FRAME_HEADER_SIZE + 4);
    text.copy(this.out, at + FRAME_HEADER_SIZE + 8);
  }

  /** PING with `opaque` (8 bytes), or its ACK. */
  ping(opaque: Uint8Array | undefined, ack: boolean): void {
    if (ack) this.countReply();
    const at = this.reserve(FRAME_HEADER_SIZE + 8);
    writeFrameHeader(this.out, at, 8, FrameType.PING, ack ? Flag.ACK : 0, 0);
    if (opaque === undefined) this.out.fill(0, at + FRAME_HEADER_SIZE, at + FRAME_HEADER_SIZE + 8);
    else this.out.set(opaque, at + FRAME_HEADER_SIZE);
  }

  /** A SETTINGS frame of id -> value pairs. */
  settings(pairs: readonly (readonly [number, number])[]): void {
    const at = this.reserve(FRAME_HEADER_SIZE + pairs.length * 6);
    writeFrameHeader(this.out, at, pairs.length * 6, FrameType.SETTINGS, 0, 0);
    pairs.forEach(([id, value], i) => {
      this.out.writeUInt16BE(id, at + FRAME_HEADER_SIZE + i * 6);
      this.out.writeUInt32BE(value, at + FRAME_HEADER_SIZE + i * 6 + 2);
    });
  }

  /** A DATA frame of the next `length` bytes of `source` (gathered from its chunks, which leave
   * the queue once sent). */
  data(streamId: number, source: SendQueue, length: number, endStream: boolean): void {
    const at = this.reserve(FRAME_HEADER_SIZE + length);
    const out = this.out;
    writeFrameHeader(out, at, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
    let to = at + FRAME_HEADER_SIZE;
    let left = length;
    while (left > 0) {
      const chunk = source.queue[0]!;
      const take = Math.min(left, chunk.length - source.queueOffset);
      out.set(take === chunk.length ? chunk : chunk.subarray(source.queueOffset, source.queueOffset + take), to);
      to += take;
      left -= take;
      source.queueOffset += take;
      if (source.queueOffset === chunk.length) {
        source.queue.shift();
        source.queueOffset = 0;
      }
    }
    source.queuedBytes -= length;
  }

  /** A DATA frame of one uncompressed gRPC message: its prefix, then `body`, copied in place. */
  dataMessage(streamId: number, body: Uint8Array, endStream: boolean): void {
    const length = GRPC_MESSAGE_PREFIX + body.length;
    const at = this.reserve(FRAME_HEADER_SIZE + length);
    writeFrameHeader(this.out, at, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
    writeMessagePrefix(this.out, at + FRAME_HEADER_SIZE, body.length, false);
    this.out.set(body, at + FRAME_HEADER_SIZE + GRPC_MESSAGE_PREFIX);
  }

  /** The ACK of the peer's SETTINGS. */
  settingsAck(): void {
    this.countReply();
    const at = this.reserve(FRAME_HEADER_SIZE);
    writeFrameHeader(this.out, at, 0, FrameType.SETTINGS, Flag.ACK, 0);
  }

  /** A header block as HEADERS, then CONTINUATION frames when it exceeds `maxFrame`. */
  headers(streamId: number, block: Buffer, endStream: boolean, maxFrame: number): void {
    let offset = 0;
    let type: number = FrameType.HEADERS;
    do {
      const length = Math.min(block.length - offset, maxFrame);
      const last = offset + length === block.length;
      const flags = (last ? Flag.END_HEADERS : 0) | (endStream && type === FrameType.HEADERS ? Flag.END_STREAM : 0);
      const at = this.reserve(FRAME_HEADER_SIZE + length);
      writeFrameHeader(this.out, at, length, type, flags, streamId);
      block.copy(this.out, at + FRAME_HEADER_SIZE, offset, offset + length);
      offset += length;
      type = FrameType.CONTINUATION;
    } while (offset < block.length);
  }

  /** Sends this turn's frames at the end of the turn. */
  flushSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  flush(): void {
    // Frames the hook adds ride this flush, not another one.
    this.beforeFlush?.();
    this.scheduled = false;
    if (this.outLength > 0) {
      this.finishView();
      // The socket keeps the written view; the rest of the block fills the next turn.
      if (this.out.length - this.outLength >= 4096) {
        this.out = this.out.subarray(this.outLength);
        this.outLength = 0;
      } else this.nextBlock(0);
    }
    this.turnBytes = 0;
    const views = this.views;
    if (views.length === 0 || this.socket.destroyed) {
      views.length = 0;
      this.viewBlocks.length = 0;
      this.retryWhenRoom();
      return;
    }
    // Each write's callback says the socket is done with its view; a block whose views are all
    // written, and that is no longer being filled, becomes spare.
    if (views.length === 1) this.socket.write(views[0]!, this.viewBlocks[0]!.written);
    else {
      this.socket.cork();
      for (let i = 0; i < views.length; i++) this.socket.write(views[i]!, this.viewBlocks[i]!.written);
      this.socket.uncork();
    }
    views.length = 0;
    this.viewBlocks.length = 0;
    this.retryWhenRoom();
  }

  private retryWhenRoom(): void {
    if (!this.retry || this.socket.destroyed) return;
    this.retry = false;
    if (this.socket.writableLength < OUTPUT_BUDGET) this.flushSoon();
    else if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      // 'drain' comes only once a write found the socket past its high-water mark. Under a mark
      // above OUTPUT_BUDGET (stream.setDefaultHighWaterMark, a socket made with its own) no write
      // may have, and the callback of an empty write, run once everything before it is written,
      // is the signal instead.
      if (this.socket.writableNeedDrain) this.socket.once('drain', this.flushWhenDrained);
      else this.socket.write(NOTHING, this.flushWhenDrained);
    }
  }
}

/** The payload of a frame that may be PADDED, without its padding (and `skip` bytes after the
 * pad length, for HEADERS' priority fields). */
export function unpad(flags: number, payload: Buffer, skip: number, frame: string): Buffer {
  let start = 0;
  let padding = 0;
  if (flags & Flag.PADDED) {
    if (payload.length < 1) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `PADDED ${frame} without a pad length`);
    padding = payload[0]!;
    start = 1;
  }
  if (padding + start + skip > payload.length) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `${frame} padding of ${padding} bytes exceeds its ${payload.length}-byte payload`);
  return payload.subarray(start + skip, payload.length - padding);
}
