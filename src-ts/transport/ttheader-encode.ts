import type { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';
import { ACL_TOKEN_KEY } from './metainfo.js';
import { checkInteger, entriesOf, type TTHeaderInit } from './ttheader.js';
import { TTHEADER_MAGIC, TTHEADER_MAX_HEADER_SIZE, TTHeaderInfo, TTHeaderLayout as L } from './ttheader-layout.js';

/**
 * Writes a TTHeader (everything before the payload) into `out` the way Kitex does: ACL token
 * block (from `aclToken`, or the `RPC_TRANSIT_gdpr-token` entry), then KEYVALUE, then
 * INTKEYVALUE, each only when non-empty, entries in map order, zero padding to a multiple of 4. LENGTH is left zero: it is only known once the payload is written,
 * so the returned view (writable until `out.flush()`) is where the caller patches it.
 */
export function writeTTHeader(out: LinkBuffer, init: TTHeaderInit): Buffer {
  const flags = checkInteger(init.flags ?? 0, 0, 0xffff, 'TTHeader flags');
  const seqId = checkInteger(init.seqId ?? 0, -0x80000000, 0xffffffff, 'TTHeader seqId');
  const protocolId = checkInteger(init.protocolId ?? 0, 0, 0xff, 'TTHeader protocolId');
  const transforms = init.transforms ?? [];
  checkInteger(transforms.length, 0, 0xff, 'TTHeader transform count');
  for (const id of transforms) checkInteger(id, 0, 0xff, 'TTHeader transform id');
  let aclToken = init.aclToken;
  let strEntries = entriesOf(init.strInfo, (key) => key);
  const aclEntry = strEntries.find(([key]) => key === ACL_TOKEN_KEY);
  if (aclEntry !== undefined) {
    aclToken ??= aclEntry[1];
    strEntries = strEntries.filter(([key]) => key !== ACL_TOKEN_KEY);
  }
  const intEntries = entriesOf(init.intInfo, Number);
  checkInteger(strEntries.length, 0, 0xffff, 'TTHeader KEYVALUE count');
  checkInteger(intEntries.length, 0, 0xffff, 'TTHeader INTKEYVALUE count');

  let infoSize = 2 + transforms.length;
  if (aclToken !== undefined) infoSize += 1 + stringSize(aclToken);
  if (strEntries.length > 0) {
    infoSize += 3;
    for (const [key, value] of strEntries) infoSize += stringSize(key) + stringSize(value);
  }
  if (intEntries.length > 0) {
    infoSize += 3;
    for (const [key, value] of intEntries) {
      checkInteger(key, 0, 0xffff, 'TTHeader integer key');
      infoSize += 2 + stringSize(value);
    }
  }
  const paddedSize = Math.ceil(infoSize / 4) * 4;
  if (paddedSize > TTHEADER_MAX_HEADER_SIZE) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `TTHeader header of ${paddedSize} bytes exceeds the ${TTHEADER_MAX_HEADER_SIZE}-byte limit`);
  }

  const view = out.malloc(L.FIXED_SIZE + paddedSize);
  view.writeUInt32BE(0, L.LENGTH);
  view.writeUInt16BE(TTHEADER_MAGIC, L.MAGIC);
  view.writeUInt16BE(flags, L.FLAGS);
  view.writeUInt32BE(seqId >>> 0, L.SEQ_ID);
  view.writeUInt16BE(paddedSize / 4, L.HEADER_SIZE);
  view[L.PROTOCOL_ID] = protocolId;
  view[L.TRANSFORM_COUNT] = transforms.length;
  let at: number = L.TRANSFORM_IDS;
  for (const id of transforms) view[at++] = id;
  if (aclToken !== undefined) {
    view[at++] = TTHeaderInfo.ACL_TOKEN;
    at = writeString(view, at, aclToken);
  }
  if (strEntries.length > 0) {
    view[at++] = TTHeaderInfo.KEY_VALUE;
    at = view.writeUInt16BE(strEntries.length, at);
    for (const [key, value] of strEntries) at = writeString(view, writeString(view, at, key), value);
  }
  if (intEntries.length > 0) {
    view[at++] = TTHeaderInfo.INT_KEY_VALUE;
    at = view.writeUInt16BE(intEntries.length, at);
    for (const [key, value] of intEntries) at = writeString(view, view.writeUInt16BE(key, at), value);
  }
  view.fill(TTHeaderInfo.PADDING, at);
  return view;
}

/** Bytes a u16-length-prefixed string takes. */
function stringSize(value: string): number {
  if (typeof value !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `TTHeader info keys and values are strings, got ${typeof value}`);
  const length = Buffer.byteLength(value);
  if (length > 0xffff) throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `TTHeader string of ${length} bytes exceeds 65535`);
  return 2 + length;
}

function writeString(view: Buffer, at: number, value: string): number {
  const length = view.write(value, at + 2);
  view.writeUInt16BE(length, at);
  return at + 2 + length;
}
