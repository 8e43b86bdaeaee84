import { LinkBuffer } from '../buffer/link-buffer.js';
import type { SlabPool } from '../buffer/slab-pool.js';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Frame, PurePayloadFrame } from './frame.js';
import { readFramedFrame, readGrpcFrame } from './framed-frame.js';
import { badFrame, resolveLimits, type FrameLimits, type ResolvedLimits } from './limits.js';
import { sniffFrame } from './sniff.js';
import { ThriftBinaryScanner } from './thrift-binary-scan.js';
import { THRIFT_COMPACT_PROTOCOL_ID, ThriftCompactScanner } from './thrift-compact-scan.js';
import { readTTHeaderFrame, readWholeTTHeaderFrame } from './ttheader-frame.js';

/** Which framing a {@link FrameReader} expects. `auto` sniffs every message the way a Kitex server
 * does (TTHeader, TTHeaderFramed, Framed, Kitex Protobuf, PurePayload); `ttheader` accepts
 * TTHeader and TTHeaderFramed; `kitex-protobuf` is Framed with a required Kitex Protobuf envelope.
 * PurePayload messages, sniffed or not, may be Thrift Binary or Thrift Compact: the first byte of
 * each message chooses the skip scan. */
export type FrameReaderKind = 'auto' | 'ttheader' | 'framed' | 'kitex-protobuf' | 'pure-payload' | 'grpc';

/** Options for a {@link FrameReader}. */
export interface FrameReaderOptions extends FrameLimits {
  /** Default `auto`. */
  kind?: FrameReaderKind;
  /** Slab pool for the reader's input buffer. */
  pool?: SlabPool;
}

/**
 * An incremental frame reader: give it bytes as they arrive (`push` a chunk, or `feed` a
 * LinkBuffer) and it returns every frame completed so far. Bytes of an incomplete frame stay
 * buffered, never more than `maxFrameSize` plus the frame's header; a declared length is checked
 * the moment its bytes arrive. Frames never read past their own end.
 *
 * A malformed stream throws `HeddleError` `ERR_BAD_FRAME` (or `ERR_DEPTH_LIMIT` from the
 * PurePayload scan) with the stream offset of the bad byte; the reader then stays failed and
 * rethrows that error, since the connection cannot be resynchronised.
 */
export class FrameReader {
  private readonly kind: FrameReaderKind;
  private readonly limits: ResolvedLimits;
  private readonly input: LinkBuffer;
  private readonly binaryScanner: ThriftBinaryScanner;
  /** Made on the first Compact message: most connections never see one. */
  private compactScanner: ThriftCompactScanner | undefined;
  /** The scan of the PurePayload message being read, chosen by its first byte. */
  private scanner: ThriftBinaryScanner | ThriftCompactScanner | undefined;
  private consumed = 0;
  private failure: HeddleError | undefined;
  /** Bytes the incomplete frame needs before decoding can make progress (or detect an error):
   * pushes below it only buffer, which keeps a message arriving in many small chunks linear. */
  private awaiting = 0;
  /** What the current frame was sniffed as, in `auto` mode. */
  private sniffed: ReturnType<typeof sniffFrame>;

  constructor(options: FrameReaderOptions = {}) {
    this.kind = options.kind ?? 'auto';
    this.limits = resolveLimits(options);
    this.input = new LinkBuffer(options.pool === undefined ? {} : { pool: options.pool });
    this.binaryScanner = new ThriftBinaryScanner(this.limits.maxDepth, this.limits.maxFrameSize);
  }

  /** Stream offset of the first byte not yet returned in a frame. */
  get offset(): number {
    return this.consumed;
  }

  /** Bytes received but not yet returned in a frame. */
  get buffered(): number {
    return this.input.length;
  }

  /**
   * Adds `chunk` and returns the frames it completes, in order. Small chunks are copied into pooled
   * slabs, large ones linked; either way the caller may reuse `chunk` only when it was copied, so
   * treat it as handed over.
   */
  push(chunk: Uint8Array): Frame[] {
    return this.pushBytes(chunk, 'link');
  }

  /**
   * Adds a copy of `chunk`, into pooled slabs whatever its size, and returns the frames it
   * completes: as {@link push}, but neither the reader nor its frames keep a reference to `chunk`,
   * which the caller may reuse at once (a shared-memory slice going back to its pool).
   */
  pushCopy(chunk: Uint8Array): Frame[] {
    return this.pushBytes(chunk, 'copy');
  }

  /**
   * Adds `chunk`, which the reader and its frames may keep for good (a slab filled for it alone),
   * and returns the frames it completes: as {@link push}, but nothing is copied, and whole TTHeader
   * frames arriving with nothing buffered are read where they lie.
   */
  pushOwned(chunk: Uint8Array): Frame[] {
    this.assertUsable();
    if (this.kind === 'ttheader' && this.input.length === 0) return this.pushTTHeaderFrames(chunk, 'owned');
    return this.feed(LinkBuffer.from(chunk));
  }

  /** Moves all readable bytes of `buffer` in (zero-copy) and returns the frames completed. */
  feed(buffer: LinkBuffer): Frame[] {
    this.assertUsable();
    this.input.append(buffer);
    this.input.flush();
    return this.input.length < this.awaiting ? [] : this.drain();
  }

  /** Declares the end of the stream: throws `ERR_BAD_FRAME` if part of a frame is still buffered. */
  end(): void {
    this.assertUsable();
    if (this.input.length > 0) {
      this.fail(badFrame(`stream ended inside a frame: ${this.input.length} bytes of it arrived`, this.consumed));
    }
  }

  /** Frees the buffered bytes. Frames already returned keep their payloads. */
  close(): void {
    this.input.close();
  }

  private pushBytes(chunk: Uint8Array, mode: 'link' | 'copy'): Frame[] {
    this.assertUsable();
    if (this.kind === 'ttheader' && this.input.length === 0) return this.pushTTHeaderFrames(chunk, mode);
    if (mode === 'copy') this.input.writeCopy(chunk);
    else this.input.writeBinary(chunk);
    this.input.flush();
    return this.input.length < this.awaiting ? [] : this.drain();
  }

  /**
   * The frames of a chunk arriving with nothing buffered, as most do (a reply, a batch of replies):
   * the frames lying whole at its start are read in place, only their payloads written into the
   * input buffer (linked where they lie when the chunk is `owned`, copied with `copy`); the rest of
   * the chunk is buffered as {@link push}, {@link pushCopy} or {@link feed} does.
   */
  private pushTTHeaderFrames(chunk: Uint8Array, mode: 'link' | 'copy' | 'owned'): Frame[] {
    const owned = mode === 'owned';
    const frames: Frame[] = [];
    let at = 0;
    try {
      for (;;) {
        const frame = readWholeTTHeaderFrame(chunk, at, this.consumed, this.limits, owned ? undefined : this.input, mode === 'copy');
        if (frame === undefined) break;
        frames.push(frame);
        this.consumed += frame.size;
        at += frame.size;
      }
    } catch (error) {
      for (const frame of frames) frame.payload.close();
      this.fail(error);
    }
    if (at === chunk.length) {
      this.input.release();
      return frames;
    }
    const rest = at === 0 ? chunk : chunk.subarray(at);
    if (owned) this.input.append(LinkBuffer.from(rest));
    else if (mode === 'copy') this.input.writeCopy(rest);
    else this.input.writeBinary(rest);
    this.input.flush();
    if (this.input.length < this.awaiting) return frames;
    const completed = this.drain();
    if (frames.length === 0) return completed;
    for (const frame of completed) frames.push(frame);
    return frames;
  }

  private drain(): Frame[] {
    const frames: Frame[] = [];
    try {
      for (;;) {
        const frame = this.readOne();
        if (frame === undefined) break;
        frames.push(frame);
        this.consumed += frame.size;
        this.sniffed = undefined;
      }
      this.awaiting = this.input.length === 0 ? 0 : this.bytesNeeded(this.kind === 'auto' ? this.sniffed : this.kind);
    } catch (error) {
      for (const frame of frames) frame.payload.close();
      this.fail(error);
    }
    this.input.release();
    return frames;
  }

  private readOne(): Frame | undefined {
    const input = this.input;
    if (input.length === 0) return undefined;
    switch (this.kind) {
      case 'ttheader':
        return readTTHeaderFrame(input, this.consumed, this.limits);
      case 'framed':
        return readFramedFrame(input, this.consumed, this.limits);
      case 'kitex-protobuf':
        return readFramedFrame(input, this.consumed, this.limits, true);
      case 'grpc':
        return readGrpcFrame(input, this.consumed, this.limits);
      case 'pure-payload':
        return this.readPurePayload();
      case 'auto':
        return this.readSniffed();
    }
  }

  /** How many buffered bytes the current frame's decoder needs before it can do anything more:
   * each step at which it checks a field, then the whole frame. Mirrors the decoders. */
  private bytesNeeded(kind: FrameReaderKind | ReturnType<typeof sniffFrame>): number {
    const length = this.input.length;
    switch (kind) {
      case undefined:
      case 'auto':
        return length < 4 ? 4 : 8;
      case 'ttheader':
        if (length < 4) return 4;
        if (length < 8) return 8;
        return length < 14 ? 14 : 4 + this.input.peekUint32At(0);
      case 'framed':
      case 'kitex-protobuf':
        if (length < 4) return 4;
        return kind === 'kitex-protobuf' && this.kind === 'kitex-protobuf' && length < 6 ? 6 : 4 + this.input.peekUint32At(0);
      case 'grpc':
        return length < 5 ? 5 : 5 + this.input.peekUint32At(1);
      case 'pure-payload':
        return this.scanner?.needed ?? 1;
      case 'http2':
        return 0;
    }
  }

  private readSniffed(): Frame | undefined {
    const sniffed = sniffFrame(this.input, this.consumed);
    this.sniffed = sniffed;
    switch (sniffed) {
      case undefined:
        return undefined;
      case 'ttheader':
        return readTTHeaderFrame(this.input, this.consumed, this.limits);
      case 'framed':
      case 'kitex-protobuf':
        return readFramedFrame(this.input, this.consumed, this.limits);
      case 'pure-payload':
        return this.readPurePayload();
      case 'http2':
        throw badFrame('HTTP/2 connection preface: this is a gRPC client, serve it with a gRPC server', this.consumed);
    }
  }

  private readPurePayload(): PurePayloadFrame | undefined {
    // Anything but a Compact protocol id goes to the Binary scan, which names what it found.
    const scanner = (this.scanner ??=
      this.input.peekByteAt(0) === THRIFT_COMPACT_PROTOCOL_ID
        ? (this.compactScanner ??= new ThriftCompactScanner(this.limits.maxDepth, this.limits.maxFrameSize))
        : this.binaryScanner);
    const length = scanner.scan(this.input, this.consumed);
    if (length < 0) {
      if (this.input.length > this.limits.maxFrameSize) {
        throw badFrame(`PurePayload message runs past the ${this.limits.maxFrameSize}-byte frame limit`, this.consumed + this.limits.maxFrameSize);
      }
      return undefined;
    }
    scanner.reset();
    this.scanner = undefined;
    const payloadProtocol = scanner === this.binaryScanner ? 'thrift-binary' : 'thrift-compact';
    return { kind: 'pure-payload', offset: this.consumed, size: length, payload: this.input.slice(length), payloadProtocol };
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(error: unknown): never {
    const failure = error instanceof HeddleError ? error : new HeddleError(ErrorCode.ERR_BAD_FRAME, 'frame reader failed', { cause: error });
    this.failure = failure;
    this.input.close();
    throw failure;
  }
}
