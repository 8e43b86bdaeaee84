import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FrameReader } from '../../../src-ts/transport/frame-reader.js';
import { encodeFrame, type FrameSpec } from '../../../src-ts/transport/frame-writer.js';
import type { Frame } from '../../../src-ts/transport/frame.js';
import { ACL_TOKEN_KEY, IntKey } from '../../../src-ts/transport/metainfo.js';
import { peekThriftMessageHeader, ThriftBinaryScanner } from '../../../src-ts/transport/thrift-binary-scan.js';
import { metaInfoOf } from '../../../src-ts/transport/ttheader.js';

// The shape of captures.json, written by test/interop/kitex-capture.

interface FrameView {
  file: string;
  size: number;
  kind: string;
  ttheader?: {
    flags: number;
    seqId: number;
    protocolId: number;
    intInfo: Record<string, string>;
    strInfo: Record<string, string>;
    headerLength: number;
    payloadLength: number;
  };
  message: { protocol: string; name: string; type: number; seqId: number; length: number };
}

export interface Capture {
  name: string;
  transport: string;
  request: FrameView;
  response: FrameView;
  server: Array<{ method: string; seqId: number; fromService: string; transient: Record<string, string>; persistent: Record<string, string> }>;
  client: { error?: { kind: string; code: number; message: string; extra?: Record<string, string> }; backward: Record<string, string> };
}

export interface CaptureIndex {
  kitex: string;
  go: string;
  scenarios: Capture[];
}

export function loadCaptures(dir: string): CaptureIndex {
  return JSON.parse(readFileSync(join(dir, 'captures.json'), 'utf8')) as CaptureIndex;
}

/** Parses one recorded direction with a sniffing FrameReader and checks it against what the Go
 * side decoded; then re-encodes the frame and checks the bytes are identical. Returns the frame. */
export function checkRecordedFrame(dir: string, view: FrameView): Frame {
  const bytes = readFileSync(join(dir, view.file));
  expect(bytes.length).toBe(view.size);
  const reader = new FrameReader();
  const frames = reader.push(bytes);
  reader.end();
  expect(frames).toHaveLength(1);
  const frame = frames[0] as Frame;
  expect(frame.kind).toBe(view.kind);
  expect(frame.size).toBe(view.size);

  let spec: FrameSpec;
  if (frame.kind === 'ttheader' || frame.kind === 'ttheader-framed') {
    const go = view.ttheader;
    expect(go).toBeDefined();
    if (go === undefined) throw new Error('unreachable');
    expect(frame.header.flags).toBe(go.flags);
    expect(frame.header.seqId).toBe(go.seqId);
    expect(frame.header.protocolId).toBe(go.protocolId);
    expect(Object.fromEntries([...frame.header.intInfo].map(([k, v]) => [String(k), v]))).toEqual(go.intInfo);
    // gopkg folds the ACL token block into the string map under RPC_TRANSIT_gdpr-token.
    const strInfo = Object.fromEntries(frame.header.strInfo);
    if (frame.header.aclToken !== undefined) strInfo[ACL_TOKEN_KEY] = frame.header.aclToken;
    expect(strInfo).toEqual(go.strInfo);
    const headerLength = 14 + bytes.readUInt16BE(12) * 4;
    expect(headerLength).toBe(go.headerLength);
    expect(frame.size - headerLength).toBe(go.payloadLength);
    spec = { kind: frame.kind, header: frame.header };
  } else {
    expect(view.ttheader).toBeUndefined();
    spec = { kind: frame.kind as 'framed' | 'pure-payload' };
  }

  expect(frame.payloadProtocol).toBe(view.message.protocol);
  expect(frame.payload.length).toBe(view.message.length);
  if (frame.payloadProtocol === 'kitex-protobuf') {
    expect(frame.envelope).toMatchObject({ method: view.message.name, messageType: view.message.type, seqId: view.message.seqId });
  } else {
    expect(peekThriftMessageHeader(frame.payload)).toMatchObject({ name: view.message.name, type: view.message.type, seqId: view.message.seqId });
    // The PurePayload skip scan finds the end of every Kitex-encoded Thrift message.
    expect(new ThriftBinaryScanner(64, 1 << 20).scan(frame.payload, 0)).toBe(frame.payload.length);
  }

  const again = encodeFrame(spec, frame.payload.peek(frame.payload.length));
  expect(Buffer.from(again).toString('hex')).toBe(bytes.toString('hex'));
  return frame;
}

/** Checks a whole capture: both frames, and that heddle's metainfo view agrees with what the
 * Kitex server and client handed their application code. */
export function checkCapture(dir: string, capture: Capture): void {
  const request = checkRecordedFrame(dir, capture.request);
  const response = checkRecordedFrame(dir, capture.response);
  const server = capture.server[0];
  expect(capture.server).toHaveLength(1);
  if (server === undefined) return;
  if (request.kind === 'ttheader' || request.kind === 'ttheader-framed') {
    const meta = metaInfoOf(request.header);
    expect(Object.fromEntries(meta.transient())).toEqual(server.transient);
    expect(Object.fromEntries(meta.persistent())).toEqual(server.persistent);
    expect(meta.getInt('FromService')).toBe(server.fromService);
    expect(meta.getInt(IntKey.ToMethod)).toBe(server.method);
  }
  if (response.kind === 'ttheader' || response.kind === 'ttheader-framed') {
    const reply = metaInfoOf(response.header);
    expect(Object.fromEntries(reply.backward())).toEqual(capture.client.backward);
    if (capture.client.error?.kind === 'biz') {
      expect(reply.get('biz-status')).toBe(String(capture.client.error.code));
      expect(reply.get('biz-message')).toBe(capture.client.error.message);
      expect(JSON.parse(reply.get('biz-extra') ?? '{}')).toEqual(capture.client.error.extra ?? {});
    }
  }
  if (capture.client.error?.kind === 'application') expect(capture.response.message.type).toBe(3);
  request.payload.close();
  response.payload.close();
}
