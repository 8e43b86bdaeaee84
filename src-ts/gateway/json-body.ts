/**
 * The frame of a JSON-to-wire call both transcoders share: the body's type and size checked, the
 * reader and sink reset, the whole input required to be one value, the output size checked, and
 * the reusable sink emptied whatever happens.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import type { ByteSink } from './byte-sink.js';
import type { JsonReader } from './json-reader.js';

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** A fromJSON body as UTF-8 bytes, checked for its type and against `maxSize`. */
export function jsonBodyBytes(body: Uint8Array | string, maxSize: number): Uint8Array {
  const src = typeof body === 'string' ? utf8.encode(body) : body;
  if (!(src instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'fromJSON expects a Uint8Array or a string');
  if (src.length > maxSize) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `JSON body of ${src.length} bytes is over the ${maxSize}-byte limit`, { offset: 0 });
  }
  return src;
}

/** Runs `write` over JSON `body` with `reader`, returning what it wrote to `sink` as a Buffer of its own. */
export function transcodeJsonBody(body: Uint8Array | string, maxSize: number, reader: JsonReader, sink: ByteSink, write: () => void): Uint8Array {
  reader.reset(jsonBodyBytes(body, maxSize));
  sink.pos = 0;
  try {
    write();
    if (reader.peek() !== -1) throw reader.malformed('the end of the input');
    if (sink.pos > maxSize) {
      throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `encoded message of ${sink.pos} bytes is over the ${maxSize}-byte limit`);
    }
    return sink.take(0);
  } finally {
    sink.pos = 0;
    reader.reset(EMPTY);
  }
}
