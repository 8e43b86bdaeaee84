import { create, isFieldSet, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { jsonName } from '../../../src-ts/protobuf/descriptor/json-name.js';

/**
 * Converts between heddle's plain values and @bufbuild/protobuf messages, so the same value can
 * be encoded and decoded by both. heddle: oneof members are ordinary properties, map keys are
 * strings, explicit-presence fields are absent when unset. bufbuild: oneofs are `{ case, value }`.
 */

function heddleProperty(field: DescField): string {
  // A group's field name is the lowercased group name, as protoc names it.
  return jsonName(field.name);
}

/** A heddle value as a bufbuild message of type `desc`. */
export function toBufbuild(desc: DescMessage, value: Record<string, unknown>): Message {
  return create(desc, toInit(desc, value) as never);
}

function toInit(desc: DescMessage, value: Record<string, unknown>): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    const v = value[heddleProperty(field)];
    if (v === undefined) continue;
    const converted = convertIn(field, v);
    if (field.oneof !== undefined) init[field.oneof.localName] = { case: field.localName, value: converted };
    else init[field.localName] = converted;
  }
  return init;
}

function convertIn(field: DescField, v: unknown): unknown {
  switch (field.fieldKind) {
    case 'message':
      return create(field.message, toInit(field.message, v as Record<string, unknown>) as never);
    case 'list':
      return field.listKind === 'message'
        ? (v as Array<Record<string, unknown>>).map((item) => create(field.message, toInit(field.message, item) as never))
        : [...(v as unknown[])];
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        out[k] = field.mapKind === 'message' ? create(field.message, toInit(field.message, item as Record<string, unknown>) as never) : item;
      }
      return out;
    }
    default:
      return v;
  }
}

/** A bufbuild message as heddle decodes it: implicit-presence fields present, explicit ones only when set. */
export function fromBufbuild(desc: DescMessage, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = message as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    const prop = heddleProperty(field);
    if (field.oneof !== undefined) {
      const selected = record[field.oneof.localName] as { case?: string; value?: unknown };
      if (selected.case === field.localName) out[prop] = convertOut(field, selected.value);
      continue;
    }
    if (field.fieldKind === 'list' || field.fieldKind === 'map') {
      out[prop] = convertOut(field, record[field.localName]);
      continue;
    }
    // bufbuild's presence: 1 explicit, 2 implicit, 3 legacy required.
    if (field.presence === 2 || isFieldSet(message, field)) out[prop] = convertOut(field, record[field.localName]);
  }
  return out;
}

function convertOut(field: DescField, v: unknown): unknown {
  switch (field.fieldKind) {
    case 'message':
      return fromBufbuild(field.message, v as Message);
    case 'list':
      return field.listKind === 'message' ? (v as Message[]).map((m) => fromBufbuild(field.message, m)) : [...(v as unknown[])];
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        out[k] = field.mapKind === 'message' ? fromBufbuild(field.message, item as Message) : item;
      }
      return out;
    }
    default:
      return v;
  }
}
