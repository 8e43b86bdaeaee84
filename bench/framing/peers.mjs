// The usual Buffer-based ways to frame and reassemble messages in Node, written out so heddle has
// something to be measured against where no npm package speaks the protocol (TTHeader).

/** Framed: a 4-byte length, then the message, joined with Buffer.concat. */
export function concatFramed(message) {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(message.length);
  return Buffer.concat([length, message]);
}

/** TTHeader the usual way: every field and string its own Buffer, then one Buffer.concat. */
export function concatTTHeader(header, message) {
  const parts = [Buffer.from([0, 0])]; // protocol id, transform count
  const strs = [...header.strInfo];
  if (strs.length > 0) {
    parts.push(Buffer.from([0x01, strs.length >> 8, strs.length & 0xff]));
    for (const [key, value] of strs) parts.push(lengthPrefixed(key), lengthPrefixed(value));
  }
  const ints = [...header.intInfo];
  if (ints.length > 0) {
    parts.push(Buffer.from([0x10, ints.length >> 8, ints.length & 0xff]));
    for (const [key, value] of ints) parts.push(Buffer.from([key >> 8, key & 0xff]), lengthPrefixed(value));
  }
  let info = Buffer.concat(parts);
  if (info.length % 4 !== 0) info = Buffer.concat([info, Buffer.alloc(4 - (info.length % 4))]);
  const fixed = Buffer.alloc(14);
  fixed.writeUInt32BE(10 + info.length + message.length, 0);
  fixed.writeUInt16BE(0x1000, 4);
  fixed.writeInt32BE(header.seqId, 8);
  fixed.writeUInt16BE(info.length / 4, 12);
  return Buffer.concat([fixed, info, message]);
}

function lengthPrefixed(text) {
  const bytes = Buffer.from(text);
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length);
  bytes.copy(out, 2);
  return out;
}

/** Parses one complete TTHeader frame from a Buffer: fields, both info maps, payload view. */
export function parseTTHeaderBuffer(frame) {
  const length = frame.readUInt32BE(0);
  const headerEnd = 14 + frame.readUInt16BE(12) * 4;
  const intInfo = new Map();
  const strInfo = new Map();
  let at = 16 + frame[15];
  while (at < headerEnd) {
    const id = frame[at++];
    if (id === 0) continue;
    const count = frame.readUInt16BE(at);
    at += 2;
    for (let i = 0; i < count; i++) {
      let key;
      if (id === 0x10) {
        key = frame.readUInt16BE(at);
        at += 2;
      } else {
        const n = frame.readUInt16BE(at);
        key = frame.toString('utf8', at + 2, at + 2 + n);
        at += 2 + n;
      }
      const n = frame.readUInt16BE(at);
      const value = frame.toString('utf8', at + 2, at + 2 + n);
      at += 2 + n;
      (id === 0x10 ? intInfo : strInfo).set(key, value);
    }
  }
  return { seqId: frame.readInt32BE(8), intInfo, strInfo, payload: frame.subarray(headerEnd, length + 4) };
}

/**
 * The most common reassembly in Node code: keep a residual Buffer, `Buffer.concat` every arriving
 * chunk onto it, and cut a frame off the front once the length prefix says it is complete.
 */
export class ConcatEachChunk {
  residual = Buffer.alloc(0);

  push(chunk) {
    this.residual = this.residual.length === 0 ? chunk : Buffer.concat([this.residual, chunk]);
    const frames = [];
    while (this.residual.length >= 4) {
      const end = 4 + this.residual.readUInt32BE(0);
      if (this.residual.length < end) break;
      frames.push(this.residual.subarray(4, end));
      this.residual = this.residual.subarray(end);
    }
    return frames;
  }
}

/** The careful variant: collect chunks in an array and `Buffer.concat` once the frame is whole. */
export class ConcatOnce {
  chunks = [];
  total = 0;

  push(chunk) {
    this.chunks.push(chunk);
    this.total += chunk.length;
    const frames = [];
    for (;;) {
      if (this.total < 4) break;
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
      const end = 4 + head.readUInt32BE(0);
      if (this.total < end) break;
      const joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
      frames.push(joined.subarray(4, end));
      const rest = joined.subarray(end);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.total = rest.length;
    }
    return frames;
  }
}
