// heddle against CloudWeGo shmipc-go (a Go program built from the module proxy), in both roles and
// both protocol versions: v2 (files under /dev/shm) and v3 (memfds over SCM_RIGHTS). The streams
// carry Framed Thrift Binary CALLs with payloads from 1 B to 4 MiB; every byte of every echo is
// compared, by the Go side and by heddle's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shm } from '../../../src-ts/index.js';
import type { ShmServer, ShmStream } from '../../../src-ts/shm/index.js';
import {
  expectFramedEchoes, filesWithPrefix, FRAME_SIZES, framedThriftCall, nativeDisabled, payloadPattern, readFrame, sendViaAllocate, tempDir,
  uniquePrefix, waitFor,
} from '../../shm/helpers/runtime.js';
import { describeWithPeers } from '../../helpers/peers.js';
import { buildPeer, runPeer } from './peer.js';

/** The fields of a Framed Thrift CALL built by framedThriftCall; throws when it is not one. */
function parseCall(frame: Buffer): { seqId: number; payload: Buffer } {
  const length = frame.readUInt32BE(0);
  if (length !== frame.length - 4 || frame.readUInt32BE(4) !== 0x80010001) throw new Error('not a Framed strict Binary CALL');
  if (frame.readUInt32BE(8) !== 4 || frame.toString('latin1', 12, 16) !== 'echo') throw new Error('method is not echo');
  if (frame[20] !== 11 || frame.readUInt16BE(21) !== 1) throw new Error('field 1 is not binary');
  const size = frame.readUInt32BE(23);
  if (27 + size + 1 !== frame.length || frame[frame.length - 1] !== 0) throw new Error('binary length contradicts the frame');
  return { seqId: frame.readInt32BE(16), payload: frame.subarray(27, 27 + size) };
}

/** Echoes Framed Thrift CALLs after checking each payload is the Go peer's pattern for its seqid. */
function verifyingEcho(stream: ShmStream, verified: number[], failures: string[]): void {
  void (async () => {
    try {
      for (;;) {
        const frame = await readFrame(stream).catch(() => null);
        if (frame === null) return;
        const { seqId, payload } = parseCall(frame);
        if (!payload.equals(payloadPattern(payload.length, seqId - 1))) throw new Error(`payload of seqid ${seqId} differs`);
        verified.push(payload.length);
        sendViaAllocate(stream, frame);
      }
    } catch (error) {
      failures.push(String(error));
      stream.close();
    }
  })();
}

describeWithPeers.skipIf(nativeDisabled)(['go'], 'interop with cloudwego/shmipc-go', () => {
  let binary: string;
  const dir = tempDir('go');
  beforeAll(() => {
    binary = buildPeer();
  }, 180_000);
  afterAll(() => dir.remove());

  for (const version of [3, 2] as const) {
    it(`heddle client (v${version}) against a shmipc-go server: 1 B to 4 MiB echoed`, async () => {
      const socket = `${dir.path}/go-server-v${version}.sock`;
      const peer = runPeer(binary, ['server', '-socket', socket]);
      const prefix = uniquePrefix(`go-server-v${version}`);
      try {
        await peer.waitForLine('PEER READY');
        const client = await shm.connect(socket, { version, pathPrefix: prefix });
        expect(client.session!.version).toBe(version);
        const stream = await client.acquireStream();
        await expectFramedEchoes(stream, FRAME_SIZES);
        // Several streams at once over the same session.
        const streams = await Promise.all([1, 2, 3].map(() => client.acquireStream()));
        const frames = streams.map((s, i) => framedThriftCall(100 + i, payloadPattern(50_000 * (i + 1), i)));
        streams.forEach((s, i) => s.write(frames[i]!));
        for (const [i, s] of streams.entries()) expect((await readFrame(s)).equals(frames[i]!)).toBe(true);
        await client.close();
        expect(filesWithPrefix(prefix)).toEqual([]);
      } finally {
        peer.child.stdin!.end();
        await peer.exited;
      }
      expect(peer.lines.filter((line) => line.startsWith('PEER FAIL'))).toEqual([]);
    }, 60_000);

    it(`shmipc-go client (v${version}) against a heddle server: 1 B to 4 MiB echoed`, async () => {
      const socket = `${dir.path}/heddle-server-v${version}.sock`;
      const prefix = uniquePrefix(`go-client-v${version}`);
      const verified: number[] = [];
      const failures: string[] = [];
      const server: ShmServer = await shm.listen(socket);
      server.on('stream', (stream: ShmStream) => verifyingEcho(stream, verified, failures));
      const closes: Array<string | undefined> = [];
      server.on('sessionClose', (_session, error) => closes.push(error?.code));
      try {
        const peer = runPeer(binary, ['client', '-socket', socket, '-mode', `v${version}`, '-prefix', prefix, '-sizes', FRAME_SIZES.join(',')]);
        await peer.waitForLine('PEER DONE', 60_000);
        expect(await peer.exited).toBe(0);
        expect(peer.lines.filter((line) => line.startsWith('PEER OK'))).toEqual(FRAME_SIZES.map((size) => `PEER OK ${size}`));
        expect(failures).toEqual([]);
        expect(verified).toEqual(FRAME_SIZES);
        // The Go client hung up: its session ends with ERR_CONNECTION, and nothing is left behind.
        await waitFor(() => closes.length === 1, 5000, 'the server session to close');
        expect(closes).toEqual(['ERR_CONNECTION']);
        expect(filesWithPrefix(prefix)).toEqual([]);
      } finally {
        await server.close();
      }
    }, 90_000);
  }
});
