import type { TTHeader } from '../transport/index.js';
import { IntKey } from '../transport/index.js';
import type { MessageFormat } from './message-format.js';
import { frameChunks } from './wire.js';

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

/**
 * The chunks of the control frame, as a Kitex server writes it during graceful shutdown: a REPLY
 * for method "none" with an empty body in `format`, on the connection's TTHeader `transport`.
 */
export function controlFrameChunks(format: MessageFormat, transport: 'ttheader' | 'ttheader-framed', maxFrameSize: number): Uint8Array[] {
  // frameChunks puts seqId 0 in it.
  const header = {
    protocolId: format.ttheaderProtocolId,
    intInfo: new Map([[IntKey.MsgType, '2']]),
    strInfo: new Map([[CONNECTION_RESET_KEY, '1']]),
  };
  return frameChunks(transport, [format.controlMessage()], header, maxFrameSize);
}
