import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import type { Frame } from '../../src-ts/transport/frame.js';
import { MetaInfo } from '../../src-ts/transport/metainfo.js';
import { peekThriftMessageHeader } from '../../src-ts/transport/thrift-binary-scan.js';
import { describeWithPeers } from '../helpers/peers.js';
import { buildCaptureProgram, recordCaptures, startLiveServers, type LiveServers } from './helpers/kitex-capture.js';
import { checkCapture, loadCaptures } from './helpers/kitex-fixtures.js';
import { thriftMessage } from './helpers/thrift-values.js';

const fixtures = fileURLToPath(new URL('./fixtures/kitex/', import.meta.url));

describe('Kitex recordings kept as fixtures', () => {
  const index = loadCaptures(fixtures);

  it('cover every framing, metainfo and each kind of error reply', () => {
    const kinds = new Set(index.scenarios.flatMap((s) => [s.request.kind, s.response.kind]));
    expect([...kinds].sort()).toEqual(['framed', 'pure-payload', 'ttheader', 'ttheader-framed']);
    const errors = new Set(index.scenarios.map((s) => s.client.error?.kind).filter((k) => k !== undefined));
    expect([...errors].sort()).toEqual(['application', 'biz', 'declared']);
    expect(index.scenarios.some((s) => Object.keys(s.server[0]?.persistent ?? {}).length > 0)).toBe(true);
    expect(index.scenarios.some((s) => s.request.message.protocol === 'kitex-protobuf')).toBe(true);
  });

  for (const capture of index.scenarios) {
    it(`parses ${capture.name} to the fields Kitex decoded and re-encodes it byte for byte`, () => {
      checkCapture(fixtures, capture);
    });
  }
});

// The same checks against a fresh recording, and live calls from heddle into a Kitex server,
// whenever Go is installed: the Go program builds from the module proxy (cached per source hash).
describeWithPeers(['go'], 'Kitex live peer', () => {
  let binary = '';
  let servers: LiveServers | undefined;

  beforeAll(async () => {
    binary = buildCaptureProgram();
    servers = await startLiveServers(binary);
  }, 170_000);
  afterAll(() => servers?.stop());

  it('records fresh captures that heddle parses and re-encodes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-kitex-'));
    try {
      recordCaptures(binary, dir);
      const index = loadCaptures(dir);
      expect(index.scenarios.length).toBe(loadCaptures(fixtures).scenarios.length);
      for (const capture of index.scenarios) checkCapture(dir, capture);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Kitex server accepts heddle TTHeader requests with metainfo and heddle reads the reply', async () => {
    const meta = new MetaInfo()
      .setInt('FromService', 'heddle-node')
      .setInt('ToService', 'EchoService')
      .setInt('ToMethod', 'echo')
      .setInt('MsgType', '1')
      .setInt('TransportType', 'unframed')
      .set('isn', 'EchoService')
      .setTransient('trace-id', 't-node')
      .setTransient('gdpr-token', 'node-acl')
      .setPersistent('tenant', 'acme');
    const request = encodeFrame({ kind: 'ttheader', header: { seqId: 5, intInfo: meta.intInfo, strInfo: meta.strInfo } }, echoArgs('report-meta', 5));
    const reply = await roundTrip(liveAddress(servers, 'thrift'), request);
    expect(reply.kind).toBe('ttheader');
    if (reply.kind !== 'ttheader') return;
    expect(reply.header.seqId).toBe(5);
    expect(peekThriftMessageHeader(reply.payload)).toMatchObject({ name: 'echo', type: 2, seqId: 5 });
    expect(JSON.parse(echoResultMessage(reply.payload))).toMatchObject({
      method: 'echo',
      seqId: 5,
      fromService: 'heddle-node',
      transport: 'TTHeader',
      transient: { 'trace-id': 't-node', 'gdpr-token': 'node-acl' },
      persistent: { tenant: 'acme' },
    });
  });

  it('a Kitex server answers heddle Framed, TTHeaderFramed and PurePayload requests in kind', async () => {
    const cases = [
      { spec: { kind: 'framed' as const }, transport: 'Framed' },
      { spec: { kind: 'ttheader-framed' as const, header: { seqId: 6 } }, transport: 'TTHeader|Framed' },
      { spec: { kind: 'pure-payload' as const }, transport: 'PurePayload' },
    ];
    for (const { spec, transport } of cases) {
      const reply = await roundTrip(liveAddress(servers, 'thrift'), encodeFrame(spec, echoArgs('report-meta', 6)));
      expect(reply.kind).toBe(spec.kind);
      expect(JSON.parse(echoResultMessage(reply.payload))).toMatchObject({ seqId: 6, transport });
    }
  });

  it('a Kitex server answers a heddle Framed Kitex Protobuf request, which a Kitex client never sends', async () => {
    const body = Buffer.concat([Buffer.from([0x0a, 11]), Buffer.from('report-meta'), Buffer.from([0x10, 42])]);
    const request = encodeFrame({ kind: 'framed', envelope: { messageType: 1, method: 'Echo', seqId: 8 } }, body);
    const reply = await roundTrip(liveAddress(servers, 'protobuf'), request);
    expect(reply.kind).toBe('framed');
    expect(reply.payloadProtocol).toBe('kitex-protobuf');
    expect(reply.envelope).toMatchObject({ method: 'Echo', messageType: 2, seqId: 8 });
    reply.payload.skip(reply.envelope?.size ?? 0);
    expect(reply.payload.readByte()).toBe(0x0a);
    const report = JSON.parse(reply.payload.readString(readVarint(reply.payload)));
    expect(report).toMatchObject({ method: 'Echo', seqId: 8, transport: 'Framed' });
  });
});

function liveAddress(servers: LiveServers | undefined, which: 'thrift' | 'protobuf'): string {
  if (servers === undefined) throw new Error('Kitex servers did not start');
  return servers[which];
}

/** EchoService.echo arguments: `{1: EchoRequest {1: message, 2: id}}`, written by Apache Thrift. */
function echoArgs(message: string, seqId: number): Buffer {
  const request = { t: 'struct' as const, fields: [{ id: 1, shape: { t: 'string' as const } }, { id: 2, shape: { t: 'i64' as const } }] };
  return thriftMessage('echo', seqId, { t: 'struct', fields: [{ id: 1, shape: request }] }, [[message, 42]]);
}

/** The `message` of the EchoResponse in an EchoResult reply: `{0: EchoResponse {1: message}}`. */
function echoResultMessage(payload: LinkBuffer): string {
  payload.skip(peekThriftMessageHeader(payload).size);
  expect([payload.readByte(), payload.readUint16()]).toEqual([12, 0]);
  let message = '';
  for (let type = payload.readByte(); type !== 0; type = payload.readByte()) {
    const id = payload.readUint16();
    if (type === 11) {
      const text = payload.readString(payload.readInt32());
      if (id === 1) message = text;
    } else {
      payload.skip(8);
    }
  }
  return message;
}

function readVarint(buffer: LinkBuffer): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = buffer.readByte();
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
}

/** Sends `request` on a new connection and resolves with the first frame of the reply. */
function roundTrip(address: string, request: Uint8Array): Promise<Frame> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    const socket = connect({ host, port: Number(port) }, () => socket.write(request));
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no reply from ${address}`)));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      try {
        const [frame] = reader.push(chunk);
        if (frame !== undefined) {
          socket.destroy();
          resolve(frame);
        }
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
  });
}
