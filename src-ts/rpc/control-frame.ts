import type { TTHeader } from '../transport/index.js';
import { IntKey } from '../transport/index.js';
import { frameChunks, ttheaderProtocolId } from './wire.js';

/**
 * Kitex's connection-reset signal: a server shutting down marks replies with the TTHeader string
 * key `crrst` = "1" and sends a reply with sequence id 0 (no call has it) on every connection, so
 * clients stop using those connections (cloudwego/kitex pkg/remote/transmeta, netpollmux).
 */
export const CONNECTION_RESET_KEY = 'crrst';

/** True for the seqID-0 control frame rather than a reply to a call. */
export function isControlFrame(seqId: number, header: TTHeader | undefined): boolean {
  return seqId === 0 && header !== undefined && header.strInfo.has(CONNECTION_RESET_KEY);
}

/** The message inside the control frame: a REPLY for method "none", seqId 0, empty struct. */
function controlMessage(protocol: 'binary' | 'compact'): Uint8Array {
  const name = [0x6e, 0x6f, 0x6e, 0x65]; // "none"
  if (protocol === 'binary') {
    return Uint8Array.from([0x80, 0x01, 0x00, 0x02, 0, 0, 0, 4, ...name, 0, 0, 0, 0, 0x00]);
  }
  // Compact: protocol id, version | type << 5, varint seqId, varint name length, name, STOP.
  return Uint8Array.from([0x82, 0x41, 0x00, 0x04, ...name, 0x00]);
}

/** The chunks of the control frame, as a Kitex server writes it during graceful shutdown. */
export function controlFrameChunks(protocol: 'binary' | 'compact', maxFrameSize: number): Uint8Array[] {
  // frameChunks puts seqId 0 in it.
  const header = {
    protocolId: ttheaderProtocolId(protocol),
    intInfo: new Map([[IntKey.MsgType, '2']]),
    strInfo: new Map([[CONNECTION_RESET_KEY, '1']]),
  };
  return frameChunks('ttheader', controlMessage(protocol), header, maxFrameSize);
}
