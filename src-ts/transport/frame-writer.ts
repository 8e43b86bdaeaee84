import { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';
import { GRPC_PREFIX_SIZE } from './framed-frame.js';
import { writeKitexProtobufEnvelope, type KitexProtobufEnvelopeInit } from './kitex-protobuf.js';
import { DEFAULT_MAX_FRAME_SIZE } from './limits.js';
import type { TTHeaderInit } from './ttheader.js';
import { writeTTHeader } from './ttheader-encode.js';
import { TTHEADER_MAX_LENGTH } from './ttheader-layout.js';

/** The framing to write around a message. `envelope` writes a Kitex Protobuf envelope first, so
 * the codec only writes the Protobuf body. */
export type FrameSpec =
  | { kind: 'framed'; envelope?: KitexProtobufEnvelopeInit }
  | { kind: 'ttheader'; header: TTHeaderInit }
  | { kind: 'ttheader-framed'; header: TTHeaderInit; envelope?: KitexProtobufEnvelopeInit }
  | { kind: 'pure-payload' }
  | { kind: 'grpc'; compressed?: boolean };

/** Options for frame writers. */
export interface FrameWriterOptions {
  /** Largest frame to write (bytes after the length prefix). Default 64 MiB. */
  maxFrameSize?: number;
}

/**
 * A frame whose header is written and whose body is being written: the codec writes the message
 * straight into the same LinkBuffer, then `finish()` fills in the lengths. Do not `flush()` the
 * buffer between `beginFrame` and `finish()`: the length fields are patched in place.
 */
export class PendingFrame {
  private finished = false;

  constructor(
    private readonly out: LinkBuffer,
    private readonly kind: FrameSpec['kind'],
    /** `out.written` where the frame starts. */
    private readonly frameStart: number,
    /** Length fields to patch: a view and `out.written` where the bytes it counts start. */
    private readonly fields: Array<{ view: Buffer; at: number; countsFrom: number }>,
    private readonly maxFrameSize: number,
  ) {}

  /** Patches the length prefixes and returns the frame's total size on the wire. Throws
   * `ERR_SIZE_LIMIT` when the frame outgrew the limit and `ERR_INVALID_ARGUMENT` for an empty
   * Framed message, which no reader would accept. */
  finish(): number {
    if (this.finished) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'PendingFrame.finish() called twice');
    this.finished = true;
    const end = this.out.written;
    for (const { view, at, countsFrom } of this.fields) {
      const length = end - countsFrom;
      const max = this.kind === 'ttheader' || this.kind === 'ttheader-framed' ? Math.min(this.maxFrameSize, TTHEADER_MAX_LENGTH) : this.maxFrameSize;
      checkMessageLength(this.kind, length, max);
      view.writeUInt32BE(length, at);
    }
    return end - this.frameStart;
  }
}

/**
 * Writes the framing that goes before a message into `out` and returns the {@link PendingFrame}
 * to finish once the message is written after it. Kitex byte order throughout, so the frames are
 * byte-identical to what a Kitex peer writes for the same header and message.
 */
export function beginFrame(out: LinkBuffer, spec: FrameSpec, options: FrameWriterOptions = {}): PendingFrame {
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const frameStart = out.written;
  const fields: Array<{ view: Buffer; at: number; countsFrom: number }> = [];
  switch (spec.kind) {
    case 'framed':
      fields.push({ view: out.malloc(4), at: 0, countsFrom: out.written });
      break;
    case 'ttheader':
    case 'ttheader-framed': {
      const header = writeTTHeader(out, spec.header);
      fields.push({ view: header, at: 0, countsFrom: frameStart + 4 });
      if (spec.kind === 'ttheader-framed') fields.push({ view: out.malloc(4), at: 0, countsFrom: out.written });
      break;
    }
    case 'grpc': {
      const prefix = out.malloc(GRPC_PREFIX_SIZE);
      prefix[0] = spec.compressed === true ? 1 : 0;
      fields.push({ view: prefix, at: 1, countsFrom: out.written });
      break;
    }
    case 'pure-payload':
      break;
  }
  if ((spec.kind === 'framed' || spec.kind === 'ttheader-framed') && spec.envelope !== undefined) {
    writeKitexProtobufEnvelope(out, spec.envelope);
  }
  return new PendingFrame(out, spec.kind, frameStart, fields, maxFrameSize);
}

/** Writes one whole frame around `message` into `out` (a LinkBuffer message is moved in without
 * copying) and returns the frame's size. The message length is known, so every length field is
 * written directly and nothing is patched afterwards. */
export function writeFrame(out: LinkBuffer, spec: FrameSpec, message: Uint8Array | LinkBuffer, options?: FrameWriterOptions): number {
  if ('envelope' in spec && spec.envelope !== undefined) {
    // The envelope's size depends on the method name; let the patching path measure it.
    const pending = beginFrame(out, spec, options);
    appendMessage(out, message);
    return pending.finish();
  }
  const length = message.length;
  const maxFrameSize = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const start = out.written;
  switch (spec.kind) {
    case 'framed':
      checkMessageLength('framed', length, maxFrameSize);
      out.writeUint32(length);
      break;
    case 'grpc':
      checkMessageLength('grpc', length, maxFrameSize);
      out.writeByte(spec.compressed === true ? 1 : 0);
      out.writeUint32(length);
      break;
    case 'ttheader':
    case 'ttheader-framed': {
      const inner = spec.kind === 'ttheader-framed' ? 4 : 0;
      checkMessageLength(spec.kind, length, maxFrameSize);
      const header = writeTTHeader(out, spec.header);
      const frameLength = header.length - 4 + inner + length;
      checkFrameLength(spec.kind, frameLength, Math.min(maxFrameSize, TTHEADER_MAX_LENGTH), () => out.mallocAck(out.mallocLen - header.length));
      header.writeUInt32BE(frameLength, 0);
      if (inner > 0) out.writeUint32(length);
      break;
    }
    case 'pure-payload':
      checkMessageLength('pure-payload', length, maxFrameSize);
      break;
  }
  appendMessage(out, message);
  return out.written - start;
}

function appendMessage(out: LinkBuffer, message: Uint8Array | LinkBuffer): void {
  if (message instanceof LinkBuffer) out.append(message);
  else out.writeBinary(message);
}

/** The rules `PendingFrame.finish` applies, checked before anything is written. */
function checkMessageLength(kind: FrameSpec['kind'], length: number, max: number): void {
  if (length === 0 && kind !== 'grpc') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${kind} frame has an empty message`);
  checkFrameLength(kind, length, max);
}

function checkFrameLength(kind: FrameSpec['kind'], length: number, max: number, undo?: () => void): void {
  if (length > max) {
    undo?.();
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `${kind} frame length ${length} exceeds the ${max}-byte limit`);
  }
}

/** One frame as contiguous bytes: convenient for tests and one-off messages. */
export function encodeFrame(spec: FrameSpec, message: Uint8Array | LinkBuffer, options?: FrameWriterOptions): Uint8Array {
  const out = new LinkBuffer();
  writeFrame(out, spec, message, options);
  out.flush();
  const bytes = out.readBinary(out.length);
  out.close();
  return bytes;
}
