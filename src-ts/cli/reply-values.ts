/** Replies as `heddle call` prints them: Protobuf well-known types in their JSON form (as grpcurl prints them). */
import type { FieldInfo, FieldKind, MessageInfo } from '../protobuf/descriptor/type-info.js';
import { protobufProperty } from './request-values.js';
import { wellKnownToJson } from './well-known-json.js';

/**
 * A decoded reply of `message` ready for stringifyJson: well-known types anywhere inside it in
 * their JSON form, everything else as decoded.
 */
export function protobufReply(message: MessageInfo, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const known = wellKnownToJson(message.fullName, record);
  if (known !== undefined) return known;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const field = message.fields.find((f) => protobufProperty(f) === key);
    out[key] = field === undefined ? item : replyField(field, item);
  }
  return out;
}

function replyField(field: FieldInfo, item: unknown): unknown {
  const single = (kind: Exclude<FieldKind, { kind: 'map' }>, v: unknown) => (kind.kind === 'message' ? protobufReply(kind.message(), v) : v);
  if (field.kind === 'map') {
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k, single(field.value, v)]));
  }
  if (field.repeated && Array.isArray(item)) return item.map((v) => single(field, v));
  return single(field, item);
}
