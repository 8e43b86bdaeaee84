// Thrift Binary messages and frames of chosen sizes, built once before timing.

/** A strict Thrift Binary call `echo(1: string)` whose encoding is exactly `size` bytes. */
export function thriftMessage(size) {
  const name = Buffer.from('echo');
  const fixed = 12 + name.length + 3 + 4 + 1; // header, field header, string length, stop
  if (size < fixed) throw new Error(`a message cannot be smaller than ${fixed} bytes`);
  const out = Buffer.alloc(size);
  let at = out.writeUInt32BE(0x80010001, 0);
  at = out.writeUInt32BE(name.length, at);
  at += name.copy(out, at);
  at = out.writeInt32BE(1, at);
  out[at++] = 11;
  at = out.writeUInt16BE(1, at);
  const textLength = size - fixed;
  at = out.writeUInt32BE(textLength, at);
  out.fill(0x61, at, at + textLength);
  out[size - 1] = 0;
  return out;
}

/** Kitex client-style TTHeader metadata: the int keys a Kitex client writes, and the IDL service. */
export const kitexRequestHeader = {
  seqId: 1,
  intInfo: new Map([
    [3, 'node-client'],
    [20, 'call'],
    [6, 'EchoService'],
    [9, 'echo'],
    [22, '1'],
    [1, 'unframed'],
  ]),
  strInfo: new Map([['isn', 'EchoService']]),
};

/** Splits `bytes` into `count` chunks of near-equal size, each its own Buffer as a socket delivers. */
export function split(bytes, count) {
  const chunks = [];
  const size = Math.ceil(bytes.length / count);
  for (let at = 0; at < bytes.length; at += size) chunks.push(Buffer.from(bytes.subarray(at, at + size)));
  return chunks;
}
