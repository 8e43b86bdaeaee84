// A hostile shmipc client written from the layout constants alone: it creates protocol-v2 files
// under /dev/shm, formats them, connects to a server's control socket, and from then on writes
// whatever it likes into the queue and the slice headers (pwrite on the tmpfs file lands in the
// server's MAP_SHARED mapping), then sends Polling messages.
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { MessageType, ShmLayout as L } from '../../../src-ts/shm/layout.js';

const QUEUE_CAPACITY = 16;
const BUFFER_SIZE = 1 << 20;
const SLICE_CAPACITY = 4076;  // stride 4096
export const STRIDE = SLICE_CAPACITY + L.sliceHeaderSize;
const REGION = L.managerHeaderSize + L.listHeaderSize;
export const SLICE_COUNT = Math.floor((BUFFER_SIZE - REGION) / STRIDE);
// The server allocates from the first half (the free list); the forged client writes its own
// messages into the second half, which it never puts on the free list.
export const FIRST_OWN_SLICE = Math.floor(SLICE_COUNT / 2);
const QUEUE_BYTES = L.queueHeaderSize + L.queueElementSize * QUEUE_CAPACITY;

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

function i64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(value));
  return b;
}

function controlMessage(type: number, body: Buffer, version = L.protocolV2): Buffer {
  const header = Buffer.alloc(L.controlHeaderSize);
  header.writeUInt32BE(L.controlHeaderSize + body.length, 0);
  header.writeUInt16BE(L.controlMagic, 4);
  header[6] = version;
  header[7] = type;
  return Buffer.concat([header, body]);
}

function name(text: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(text));
  b.writeUInt16BE(Buffer.byteLength(text), 0);
  b.write(text, 2);
  return b;
}

export class ForgedClient {
  readonly queuePath: string;
  readonly bufferPath: string;
  readonly socket: Socket;
  /** Resolves when the server drops the connection. */
  readonly dropped: Promise<void>;
  #queueFd: number;
  #bufferFd: number;
  #tail = 0;

  private constructor(prefix: string, socket: Socket) {
    this.queuePath = `${prefix}_${process.pid}_forged_queue`;
    this.bufferPath = `${prefix}_${process.pid}_forged_buffer`;
    this.socket = socket;
    this.dropped = new Promise((resolve) => socket.once('close', () => resolve()));
    this.#queueFd = openSync(this.queuePath, 'wx+', 0o600);
    ftruncateSync(this.#queueFd, 2 * QUEUE_BYTES);
    this.#bufferFd = openSync(this.bufferPath, 'wx+', 0o600);
    ftruncateSync(this.#bufferFd, BUFFER_SIZE);
    this.#format();
  }

  /** Connects and shares the forged memory (protocol v2: the server maps it on receipt);
   * `shrinkTo` cuts the files to that many bytes first. */
  static async connect(socketPath: string, prefix: string, shrinkTo?: { queue?: number; buffer?: number }): Promise<ForgedClient> {
    const socket = connect(socketPath);
    socket.on('error', () => undefined);  // the server hanging up on us is the point
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new ForgedClient(prefix, socket);
    if (shrinkTo?.queue !== undefined) ftruncateSync(client.#queueFd, shrinkTo.queue);
    if (shrinkTo?.buffer !== undefined) ftruncateSync(client.#bufferFd, shrinkTo.buffer);
    socket.write(controlMessage(MessageType.ShareMemoryByFilePath, Buffer.concat([name(client.queuePath), name(client.bufferPath)])));
    return client;
  }

  /** Absolute offset of slice `index`'s header. */
  sliceOffset(index: number): number {
    return REGION + index * STRIDE;
  }

  writeBuffer(offset: number, bytes: Buffer): void {
    writeSync(this.#bufferFd, bytes, 0, bytes.length, offset);
  }

  writeQueue(offset: number, bytes: Buffer): void {
    writeSync(this.#queueFd, bytes, 0, bytes.length, offset);
  }

  /** Writes a slice header: capacity is the real one unless overridden. */
  writeSliceHeader(index: number, fields: { size: number; start?: number; next?: number; flags?: number; capacity?: number }): void {
    this.writeBuffer(this.sliceOffset(index), Buffer.concat([
      u32(fields.capacity ?? SLICE_CAPACITY), u32(fields.size), u32(fields.start ?? 0), u32(fields.next ?? 0), u32(fields.flags ?? L.sliceFlagInUse),
    ]));
  }

  /** A well-formed one-slice chunk in our own slice `index` on `streamId`. */
  sendChunk(streamId: number, index: number, data: Buffer): void {
    this.writeBuffer(this.sliceOffset(index) + L.sliceHeaderSize, data);
    this.writeSliceHeader(index, { size: data.length });
    this.sendElement(streamId, this.sliceOffset(index), L.streamOpened);
  }

  /** Appends a queue element (any values at all) and notifies the server. */
  sendElement(streamId: number, offset: number, status: number): void {
    const slot = L.queueHeaderSize + (this.#tail % QUEUE_CAPACITY) * L.queueElementSize;
    this.writeQueue(slot, Buffer.concat([u32(streamId), u32(offset), u32(status)]));
    this.#tail++;
    this.writeQueue(L.queueTailOffset, i64(this.#tail));
    this.poll();
  }

  /** Sends a Polling message (whatever the working flag says). */
  poll(): void {
    this.socket.write(controlMessage(MessageType.Polling, Buffer.alloc(0)));
  }

  /** Truncates the queue file to nothing: the server's next access to its mapping faults. */
  truncateQueue(): void {
    ftruncateSync(this.#queueFd, 0);
  }

  /** Truncates the buffer file to nothing: reading any slice faults, chunks already delivered too. */
  truncateBuffer(): void {
    ftruncateSync(this.#bufferFd, 0);
  }

  /** A FallbackData message carrying `payload` on `streamId`, as bytes (write it whole or in pieces). */
  fallbackMessage(streamId: number, payload: Buffer): Buffer {
    const meta = Buffer.alloc(L.fallbackMetaSize);
    meta.writeUInt32BE(streamId, 0);
    meta.writeUInt32BE(L.streamOpened, 4);
    return controlMessage(MessageType.FallbackData, Buffer.concat([meta, payload]));
  }

  /** A Polling message, as bytes. */
  pollingMessage(): Buffer {
    return controlMessage(MessageType.Polling, Buffer.alloc(0));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
    for (const fd of [this.#queueFd, this.#bufferFd]) closeSync(fd);
    for (const path of [this.queuePath, this.bufferPath]) {
      try {
        unlinkSync(path);
      } catch {
        // The server may have removed them already.
      }
    }
  }

  #format(): void {
    const free = FIRST_OWN_SLICE;
    this.writeBuffer(0, Buffer.concat([u32(1), u32(L.listHeaderSize + SLICE_COUNT * STRIDE)]));
    const list = L.managerHeaderSize;
    this.writeBuffer(list, Buffer.concat([u32(free), u32(SLICE_COUNT), u32(0), u32((free - 1) * STRIDE), u32(SLICE_CAPACITY)]));
    for (let i = 0; i < SLICE_COUNT; i++) {
      const linked = i < free - 1;
      this.writeSliceHeader(i, { size: 0, next: linked ? (i + 1) * STRIDE : 0, flags: linked ? L.sliceFlagHasNext : 0 });
    }
    for (const base of [0, QUEUE_BYTES]) this.writeQueue(base + L.queueCapacityOffset, u32(QUEUE_CAPACITY));
  }
}
