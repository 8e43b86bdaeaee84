/**
 * Everything generated codec code may call, passed to it as one object whose members the
 * generated module destructures into constants. Keep names stable: they appear in `codec.source`.
 */
import * as kernels from '../../kernels/index.js';
import { defineOwn, MapShapes, newObject, plainConstructor } from '../../values/map-objects.js';
import {
  badLength,
  badType,
  badValue,
  depthLimit,
  requiredField,
  truncated,
  withPath,
  wrongValue,
} from './codec-failure.js';
import { BufferView, isPlainObject, levelPath, toInt16Array, utf8Bytes } from './helpers.js';
import * as i64 from './i64-wire.js';
import { joinNodeInt64 } from './node-int64.js';
import { readDoubleBE, readDoubleLE } from './int64.js';
import { bigintKey, boolKey, doubleKey, integerKey } from './map-keys.js';
import { skipBinary, skipCompactField } from './skip.js';
import { unpairedSurrogate, writeBytesBinary, writeBytesCompact, writeStringBinary, writeStringCompact } from './strings.js';
import { writeUtf8 } from '../../text/utf8-write.js';
import { isAsciiInView, readKeyText, readText, readTextOutsideWindow } from './read-text.js';
import { viewInput } from './read-state.js';
import { readVarintRunInPieces } from './segmented-read-state.js';
import { readUuid, writeUuid } from './uuid.js';
import { copyBytes, copyToBuffer } from '../../protobuf/codegen/byte-pool.js';
import { readVarint32, readZigzag16, readZigzag32, writeVarint32 } from './varint.js';

/** The runtime object handed to every generated module. */
export const runtime = {
  // errors and paths
  badLength,
  badType,
  badValue,
  depthLimit,
  requiredField,
  truncated,
  withPath,
  wrongValue,
  levelPath,
  // values
  isPlainObject,
  BufferView,
  utf8Bytes,
  defineOwn,
  newObject,
  plainConstructor,
  MapShapes,
  integerKey,
  bigintKey,
  doubleKey,
  boolKey,
  readText,
  readTextOutsideWindow,
  isAsciiInView,
  readKeyText,
  viewInput,
  copyBytes,
  copyToBuffer,
  readUuid,
  writeUuid,
  readDoubleBE,
  readDoubleLE,
  writeStringBinary,
  writeUtf8,
  unpairedSurrogate,
  writeStringCompact,
  writeBytesBinary,
  writeBytesCompact,
  ...i64,
  joinNodeInt64,
  // varints and skipping
  readVarint32,
  readZigzag16,
  readZigzag32,
  writeVarint32,
  skipBinary,
  skipCompactField,
  toInt16Array,
  readVarintRunInPieces,
  // whole-buffer kernels: typed-array lists
  ...kernels,
};

/** The names of the runtime's members, in the order the generated prologue lists them. */
export const RUNTIME_NAMES: readonly string[] = Object.keys(runtime);
