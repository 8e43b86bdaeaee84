import { CodecFault } from './codec-fault.js';
import type { CodecLookup } from './codec-module.js';
import { output } from './wire-write.js';

/**
 * google.protobuf.Any under the protobufjs profile: an object with an `@type` property encodes
 * as the named message packed into an Any (always, as fromObject does), and with `json` an Any
 * decodes to its packed message plus `@type` when the type is known.
 */

const DEFAULT_PREFIX = 'type.googleapis.com/';
/** How deep Any values may nest inside each other (each unpacking is a decode of its own). */
const MAX_ANY_NESTING = 32;
let nesting = 0;

function typeNameOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** The hook a generated Any decoder returns its message through, with `json`. */
export function anyToObjectHook(lookup: CodecLookup): (m: Record<string, unknown>) => unknown {
  return (m) => {
    const url = m.type_url;
    if (typeof url !== 'string' || url === '') return m;
    const codec = lookup(typeNameOf(url));
    if (codec === undefined) return m;
    const value = m.value;
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64')
      : Array.isArray(value) ? Uint8Array.from(value as number[]) : (value as Uint8Array | undefined) ?? new Uint8Array(0);
    if (++nesting > MAX_ANY_NESTING) {
      nesting = 0;
      throw new CodecFault('ERR_DEPTH_LIMIT', `google.protobuf.Any nested more than ${MAX_ANY_NESTING} deep`);
    }
    try {
      const inner = codec.decode(bytes) as Record<string, unknown>;
      const prefix = url.slice(0, url.lastIndexOf('/') + 1);
      inner['@type'] = (prefix === '' ? DEFAULT_PREFIX : prefix) + codec.typeName;
      return inner;
    } finally {
      if (nesting > 0) nesting--;
    }
  };
}

/** The hook a generated Any encoder passes an object with `@type` through. */
export function anyFromObjectHook(lookup: CodecLookup): (m: Record<string, unknown>) => Record<string, unknown> {
  return (m) => {
    const type = m['@type'];
    if (typeof type !== 'string') return m;
    const codec = lookup(typeNameOf(type));
    if (codec === undefined) return m;
    let url = type.startsWith('.') ? type.slice(1) : type;
    if (!url.includes('/')) url = '/' + url;
    // The packed message is encoded on its own, so the enclosing encoder's buffer is set aside.
    const { buf, view } = output;
    output.buf = new Uint8Array(256);
    output.view = new DataView(output.buf.buffer);
    try {
      return { type_url: url, value: codec.encode(m) };
    } finally {
      output.buf = buf;
      output.view = view;
    }
  };
}
