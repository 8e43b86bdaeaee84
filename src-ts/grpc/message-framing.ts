import { gunzipSync, gzipSync } from 'node:zlib';
import { allocBuffer } from '../protobuf/codegen/byte-pool.js';
import { GrpcStatus, grpcStatusError } from './status.js';

/** gRPC's length prefix: u8 compressed flag, u32 big-endian length. */
export const GRPC_MESSAGE_PREFIX = 5;

/** gRPC's default receive limit (grpc-go, grpc-js): 4 MiB. */
export const DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH = 4 * 1024 * 1024;
/** No send limit by default beyond what a u32 length can say. */
export const DEFAULT_MAX_SEND_MESSAGE_LENGTH = 0x7fffffff;

/** Message encodings heddle speaks. */
export type GrpcEncoding = 'identity' | 'gzip';

/** What heddle advertises in grpc-accept-encoding. */
export const ACCEPT_ENCODING = 'identity,gzip';

/** The encoding a grpc-encoding header names; undefined for one heddle cannot decode. */
export function encodingOf(header: string | undefined): GrpcEncoding | undefined {
  if (header === undefined || header === 'identity') return 'identity';
  if (header === 'gzip') return 'gzip';
  return undefined;
}

/** True when a grpc-accept-encoding header lists gzip. */
export function acceptsGzip(header: string | undefined): boolean {
  return header !== undefined && header.split(',').some((part) => part.trim() === 'gzip');
}

/** Fails with RESOURCE_EXHAUSTED, as grpc-go and grpc-js report it, for a message body over the
 * send limit. */
export function checkSendLength(length: number, maxLength: number): void {
  if (length > maxLength) {
    throw grpcStatusError(GrpcStatus.RESOURCE_EXHAUSTED, `message of ${length} bytes exceeds the ${maxLength}-byte send limit`, { local: true });
  }
}

/** Writes a message's 5-byte prefix (compressed flag, u32 big-endian length) at `at`. */
export function writeMessagePrefix(out: Uint8Array, at: number, length: number, compressed: boolean): void {
  out[at] = compressed ? 1 : 0;
  out[at + 1] = length >>> 24;
  out[at + 2] = (length >>> 16) & 0xff;
  out[at + 3] = (length >>> 8) & 0xff;
  out[at + 4] = length & 0xff;
}

/**
 * One message on the wire: prefix and body in one buffer (an HTTP/2 DATA frame write takes one
 * chunk best). `gzip` compresses it. A body over `maxLength` is RESOURCE_EXHAUSTED.
 */
export function frameMessage(body: Uint8Array, gzip: boolean, maxLength: number): Buffer {
  checkSendLength(body.length, maxLength);
  const payload = gzip ? gzipSync(body) : body;
  // A slab view: a stream of small messages allocates an ArrayBuffer per 64 KiB, not per 8 KiB.
  const out = allocBuffer(GRPC_MESSAGE_PREFIX + payload.length) as Buffer;
  writeMessagePrefix(out, 0, payload.length, gzip);
  out.set(payload, GRPC_MESSAGE_PREFIX);
  return out;
}

/**
 * Cuts a stream's DATA into gRPC messages, incrementally, decompressing the compressed ones.
 * A length over `maxLength` fails before any of the message is buffered, a compressed flag on a
 * stream without grpc-encoding (or with identity) fails, a flag other than 0 or 1 fails; each
 * failure is a gRPC status error (RESOURCE_EXHAUSTED or INTERNAL) and the reader stays failed.
 */
export class GrpcMessageReader {
  private readonly parts: Buffer[] = [];
  private partBytes = 0;
  /** Length of the message being assembled, once its prefix is in; -1 before. */
  private need = -1;
  private offset = 0;

  constructor(
    private readonly maxLength: number,
    private readonly encoding: GrpcEncoding,
  ) {}

  /** Bytes held for an incomplete message. */
  get buffered(): number {
    return this.partBytes;
  }

  /** The messages `chunk` completes, in order. */
  push(chunk: Buffer, out: Uint8Array[] = []): Uint8Array[] {
    let data = chunk;
    if (this.partBytes > 0) {
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      const wanted = this.need < 0 ? GRPC_MESSAGE_PREFIX : GRPC_MESSAGE_PREFIX + this.need;
      if (this.partBytes < wanted) {
        if (this.need < 0 && this.partBytes >= 1) this.checkFlag(this.parts[0]![0]!);
        return out;
      }
      data = Buffer.concat(this.parts, this.partBytes);
      this.parts.length = 0;
      this.partBytes = 0;
      this.need = -1;
    }
    let at = 0;
    while (data.length - at >= GRPC_MESSAGE_PREFIX) {
      const flag = data[at]!;
      this.checkFlag(flag);
      const length = data.readUInt32BE(at + 1);
      this.checkLength(length);
      if (data.length - at - GRPC_MESSAGE_PREFIX < length) {
        this.need = length;
        break;
      }
      const body = data.subarray(at + GRPC_MESSAGE_PREFIX, at + GRPC_MESSAGE_PREFIX + length);
      out.push(flag === 1 ? this.inflate(body) : body);
      at += GRPC_MESSAGE_PREFIX + length;
      this.offset += GRPC_MESSAGE_PREFIX + length;
    }
    if (at < data.length) {
      if (data.length - at >= 1) this.checkFlag(data[at]!);
      this.parts.push(at === 0 ? data : data.subarray(at));
      this.partBytes = data.length - at;
      if (this.partBytes < GRPC_MESSAGE_PREFIX) this.need = -1;
    }
    return out;
  }

  /** The stream ended: bytes of an incomplete message are an INTERNAL error. */
  finish(): void {
    if (this.partBytes > 0) {
      throw grpcStatusError(GrpcStatus.INTERNAL, `stream ended inside a message: ${this.partBytes} bytes of it at stream byte ${this.offset}`, { local: true, offset: this.offset });
    }
  }

  private checkFlag(flag: number): void {
    if (flag > 1) throw grpcStatusError(GrpcStatus.INTERNAL, `gRPC compressed flag ${flag} is neither 0 nor 1 (stream byte ${this.offset})`, { local: true, offset: this.offset });
    if (flag === 1 && this.encoding === 'identity') {
      throw grpcStatusError(GrpcStatus.INTERNAL, `compressed message (stream byte ${this.offset}) on a stream without grpc-encoding`, { local: true, offset: this.offset });
    }
  }

  private checkLength(length: number): void {
    if (length > this.maxLength) {
      throw grpcStatusError(GrpcStatus.RESOURCE_EXHAUSTED, `message of ${length} bytes exceeds the ${this.maxLength}-byte receive limit (stream byte ${this.offset})`, { local: true, offset: this.offset });
    }
  }

  private inflate(body: Buffer): Buffer {
    try {
      return gunzipSync(body, { maxOutputLength: Math.max(1, this.maxLength) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || (error as Error) instanceof RangeError) {
        throw grpcStatusError(GrpcStatus.RESOURCE_EXHAUSTED, `decompressed message exceeds the ${this.maxLength}-byte receive limit (stream byte ${this.offset})`, { local: true, cause: error, offset: this.offset });
      }
      throw grpcStatusError(GrpcStatus.INTERNAL, `cannot gunzip the message at stream byte ${this.offset}: ${(error as Error).message}`, { local: true, cause: error, offset: this.offset });
    }
  }
}
