import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';

/**
 * gRPC custom metadata: lowercase keys; a `-bin` key carries bytes (base64 on the wire), any
 * other key printable ASCII text. A key sent several times arrives as an array.
 */
export type GrpcMetadata = Record<string, string | string[] | Uint8Array | Uint8Array[]>;

/** Headers that belong to HTTP/2 or to gRPC itself, never to custom metadata. */
const reserved = new Set([
  'content-type',
  'te',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'grpc-status',
  'grpc-message',
  'grpc-status-details-bin',
  'content-length',
  'connection',
  'host',
  'accept-encoding',
  'user-agent',
]);

const validKey = /^[0-9a-z_.-]+$/;
// eslint-disable-next-line no-control-regex
const validText = /^[\x20-\x7e]*$/;

function checkKey(key: string): void {
  if (!validKey.test(key)) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC metadata key '${key}' must be lowercase letters, digits, '-', '_' or '.'`);
  }
  if (key.startsWith('grpc-') || reserved.has(key)) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC metadata key '${key}' is reserved by HTTP/2 or gRPC`);
  }
}

function textValue(key: string, value: unknown): string {
  if (typeof value !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC metadata '${key}' must be a string (only -bin keys carry bytes)`);
  if (!validText.test(value)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC metadata '${key}' must be printable ASCII; use a -bin key for other bytes`);
  return value;
}

function binaryValue(key: string, value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC metadata '${key}' must be a Uint8Array`);
}

/** Adds `metadata` to `headers` in wire form; ERR_INVALID_ARGUMENT names a bad key or value. */
export function writeMetadata(headers: OutgoingHttpHeaders, metadata: GrpcMetadata | undefined): OutgoingHttpHeaders {
  if (metadata === undefined) return headers;
  if (typeof metadata !== 'object' || metadata === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'gRPC metadata must be an object of key -> value');
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    checkKey(key);
    const binary = key.endsWith('-bin');
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    const encoded = values.map((v) => (binary ? binaryValue(key, v) : textValue(key, v)));
    headers[key] = encoded.length === 1 ? encoded[0]! : encoded;
  }
  return headers;
}

function decodeBinary(value: string): Uint8Array {
  // Peers may omit base64 padding; Buffer accepts both.
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** The custom metadata in received headers or trailers: reserved and pseudo headers left out,
 * `-bin` values decoded (a comma-joined list splits into several). */
export function readMetadata(headers: IncomingHttpHeaders): GrpcMetadata {
  const metadata: GrpcMetadata = {};
  for (const key of Object.keys(headers)) {
    if (key.charCodeAt(0) === 0x3a /* ':' */ || reserved.has(key) || key.startsWith('grpc-')) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (key.endsWith('-bin')) {
      const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => decodeBinary(v.trim()));
      metadata[key] = parts.length === 1 ? parts[0]! : parts;
    } else {
      metadata[key] = Array.isArray(value) ? value.slice() : value;
    }
  }
  return metadata;
}

/** The first value of a header as text. */
export function headerText(headers: IncomingHttpHeaders, key: string): string | undefined {
  const value = headers[key];
  return Array.isArray(value) ? value[0] : value;
}
