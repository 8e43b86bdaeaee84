// Framing benchmark: heddle's frame writers and readers over LinkBuffer against the usual Buffer
// approaches and the Apache Thrift npm package's TFramedTransport.
//
//   npx tsc -p . && node bench/run.mjs framing        (HEDDLE_BENCH_QUICK=1 for a fast pass)
//
// 1. encode: a 64 B, 1 KiB and 64 KiB Thrift message framed (Framed, TTHeader with Kitex client
//    metadata), ready for a socket write (heddle: iovecs of a LinkBuffer; peers: one Buffer).
// 2. parse: the same frames arriving whole, read into header fields and a contiguous payload.
// 3. reassemble: a 64 KiB Framed message arriving in 1, 10, 100 or 1,000 chunks, read into one
//    contiguous payload; and the same message read by the PurePayload skip scan across the chunks.
// 4. decode across slabs: a ~1 MiB Thrift struct (records of ids, names and 200-byte blobs) held in
//    a LinkBuffer as 16 or 256 pieces, decoded with codec.decodeFrom (in place, across the pieces)
//    against joining it first (LinkBuffer.next, or Buffer.concat as a socket reader would).
import { createRequire } from 'node:module';
import { concatFramed, concatTTHeader, ConcatEachChunk, ConcatOnce, parseTTHeaderBuffer } from './peers.mjs';
import { kitexRequestHeader, split, thriftMessage } from './messages.mjs';

const require = createRequire(import.meta.url);
const { LinkBuffer } = require('../../dist/buffer/index.js');
const { FrameReader, writeFrame, encodeFrame } = require('../../dist/transport/index.js');
const thrift = require('thrift');
const heddleThrift = require('../../dist/thrift/index.js');

const SIZES = [
  ['64 B', 64],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
];

/** Writes one frame into `out` and hands it to a pretend socket: writev of the iovecs, then skip. */
function heddleEncode(out, spec, message) {
  writeFrame(out, spec, message);
  out.flush();
  const iovecs = out.readableIovecs();
  out.skip(out.length);
  out.release();
  return iovecs.length;
}

function thriftFramedEncode(message) {
  let written;
  const transport = new thrift.TFramedTransport(null, (bytes) => {
    written = bytes;
  });
  transport.write(message);
  transport.flush();
  return written;
}

/** Reads one whole frame and returns its payload as one contiguous view. */
function heddleParse(reader, bytes) {
  const [frame] = reader.push(bytes);
  const view = frame.payload.next(frame.payload.length);
  const first = view[0];
  frame.payload.close();
  return first;
}

function thriftFramedReceiver() {
  let last;
  const receive = thrift.TFramedTransport.receiver((transport) => {
    last = transport.inBuf;
  });
  return (chunk) => {
    receive(chunk);
    return last;
  };
}

export async function run(bench) {
  const out = new LinkBuffer();
  for (const [label, size] of SIZES) {
    const message = thriftMessage(size);
    await bench.compare(`encode Framed ${label}`, {
      heddle: () => heddleEncode(out, { kind: 'framed' }, message),
      'Buffer.concat': () => concatFramed(message),
      'thrift TFramedTransport': () => thriftFramedEncode(message),
    }, { bytes: size });
    await bench.compare(`encode TTHeader ${label}`, {
      heddle: () => heddleEncode(out, { kind: 'ttheader', header: kitexRequestHeader }, message),
      'Buffer.concat': () => concatTTHeader(kitexRequestHeader, message),
    }, { bytes: size });
  }

  for (const [label, size] of SIZES) {
    const message = thriftMessage(size);
    const framed = Buffer.from(encodeFrame({ kind: 'framed' }, message));
    const ttheader = Buffer.from(encodeFrame({ kind: 'ttheader', header: kitexRequestHeader }, message));
    const framedReader = new FrameReader({ kind: 'framed' });
    const ttheaderReader = new FrameReader({ kind: 'ttheader' });
    const thriftReceive = thriftFramedReceiver();
    await bench.compare(`parse Framed ${label}`, {
      heddle: () => heddleParse(framedReader, framed),
      'Buffer.subarray': () => framed.subarray(4, 4 + framed.readUInt32BE(0))[0],
      'thrift TFramedTransport': () => thriftReceive(framed)[0],
    }, { bytes: size });
    await bench.compare(`parse TTHeader ${label}`, {
      heddle: () => heddleParse(ttheaderReader, ttheader),
      'Buffer parser': () => parseTTHeaderBuffer(ttheader).payload[0],
    }, { bytes: size });
  }

  const message = thriftMessage(64 * 1024);
  const framed = Buffer.from(encodeFrame({ kind: 'framed' }, message));
  for (const count of [1, 10, 100, 1000]) {
    const chunks = split(framed, count);
    const bare = split(message, count);
    const reader = new FrameReader({ kind: 'framed' });
    const scanReader = new FrameReader({ kind: 'pure-payload' });
    const thriftReceive = thriftFramedReceiver();
    await bench.compare(`reassemble 64 KiB from ${count} chunk${count === 1 ? '' : 's'}`, {
      heddle: () => {
        let frame;
        for (const chunk of chunks) [frame] = reader.push(chunk);
        const first = frame.payload.next(frame.payload.length)[0];
        frame.payload.close();
        return first;
      },
      'Buffer.concat each chunk': () => {
        const assembler = new ConcatEachChunk();
        let frame;
        for (const chunk of chunks) [frame] = assembler.push(chunk);
        return frame[0];
      },
      'Buffer.concat once': () => {
        const assembler = new ConcatOnce();
        let frame;
        for (const chunk of chunks) [frame] = assembler.push(chunk);
        return frame[0];
      },
      'thrift TFramedTransport': () => {
        let payload;
        for (const chunk of chunks) payload = thriftReceive(chunk);
        return payload[0];
      },
    }, { bytes: framed.length });
    await bench.compare(`PurePayload skip scan, 64 KiB from ${count} chunk${count === 1 ? '' : 's'}`, {
      heddle: () => {
        let frame;
        for (const chunk of bare) [frame] = scanReader.push(chunk);
        const size = frame.size;
        frame.payload.close();
        return size;
      },
      'Buffer.concat once + length': () => Buffer.concat(bare).length,
    }, { bytes: message.length });
  }

  const records = heddleThrift.parse(
    'struct Record { 1: i64 id, 2: string name, 3: binary blob, 4: list<i32> scores }\nstruct Batch { 1: list<Record> records }',
    { filename: 'batch.thrift' },
  );
  const codec = records.codec('Batch');
  const batch = {
    records: Array.from({ length: 4000 }, (_, k) => ({ id: BigInt(k), name: `record ${k}`, blob: new Uint8Array(200).fill(k), scores: [k, k + 1, k + 2] })),
  };
  const encoded = Buffer.from(codec.encode(batch));
  for (const count of [16, 256]) {
    const chunks = split(encoded, count);
    const inPieces = () => {
      const input = new LinkBuffer();
      for (const chunk of chunks) input.append(LinkBuffer.from(chunk));
      input.flush();
      return input;
    };
    await bench.compare(`decode ${(encoded.length / 2 ** 20).toFixed(1)} MiB struct from ${count} pieces`, {
      'heddle decodeFrom (across pieces)': () => {
        const input = inPieces();
        const value = codec.decodeFrom(input);
        input.close();
        return value.records.length;
      },
      'LinkBuffer.next (join) + decode': () => {
        const input = inPieces();
        const value = codec.decode(input.next(input.length));
        input.close();
        return value.records.length;
      },
      'Buffer.concat + decode': () => codec.decode(Buffer.concat(chunks)).records.length,
    }, { bytes: encoded.length });
  }
}
