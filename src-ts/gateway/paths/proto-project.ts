/**
 * Trimming a Protobuf message on the wire to a field mask. Kept fields are views of the input;
 * a message whose fields are trimmed gets a new length prefix. Every occurrence of a message field
 * is trimmed on its own, which is the same as trimming their merge. Fields the schema does not
 * know are kept (they travel on, as patch keeps them), and so are proto2 required fields.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { LEN, type ProtoPathCompiler, type ProtoPathMessage } from './proto-path-compile.js';
import { Parts } from './proto-parts.js';
import { scanFields, varintBytes, type Occurrence, type Ranges } from './proto-wire-scan.js';
import { maskError } from './field-mask.js';
import { splitPath } from './path-spec.js';

/** The mask of one message type: kept fields by number, each whole (undefined) or masked further. */
export interface ProtoMask {
  readonly message: ProtoPathMessage;
  readonly fields: Map<number, ProtoMask | undefined>;
}

/** Merges `paths` into a mask tree for the compiler's root message. */
export function compileProtoMask(paths: readonly string[], compiler: ProtoPathCompiler): ProtoMask {
  const root: ProtoMask = { message: compiler.root, fields: new Map() };
  for (const spec of paths) {
    const segments = splitPath(spec);
    let mask = root;
    for (let i = 0; i < segments.length; ) {
      const segment = segments[i]!;
      const where = segments.slice(0, i + 1).map((s) => s.text).join('.');
      const field = segment.quoted ? undefined : mask.message.byName.get(segment.value);
      if (field === undefined) throw maskError(spec, where, `names no field of ${mask.message.info.fullName}`);
      i++;
      if (i === segments.length) {
        mask.fields.set(field.number, undefined); // whole, whatever finer masks other paths asked for
        break;
      }
      if (mask.fields.has(field.number) && mask.fields.get(field.number) === undefined) break; // already whole
      if (field.repeated && segments[i]!.value === '*' && !segments[i]!.quoted) i++;
      const target = field.group ? undefined : field.message?.();
      if (target === undefined) throw maskError(spec, where, 'has no fields to mask');
      if (i === segments.length) throw maskError(spec, where, "a '*' must be followed by a field");
      let sub = mask.fields.get(field.number);
      if (sub === undefined) {
        sub = { message: target, fields: new Map() };
        mask.fields.set(field.number, sub);
      }
      mask = sub;
    }
  }
  return root;
}

/**
 * Appends the masked message read from `ranges` (one message, or the occurrences of a message
 * field, which Protobuf merges) to `parts`. Oneof members that a later member clears are dropped;
 * so are the earlier occurrences of a singular message field that is masked further: they are
 * merged into one, written where the last one was.
 */
export function projectMessage(bytes: Uint8Array, ranges: Ranges, mask: ProtoMask, parts: Parts, depthLeft: number): void {
  if (depthLeft <= 0) throw new HeddleError(ErrorCode.ERR_DEPTH_LIMIT, 'maximum recursion depth reached', { offset: ranges[0] });
  const fields: Occurrence[] = [];
  scanFields(bytes, ranges, depthLeft, () => true, fields);
  const message = mask.message;
  const dead = deadOneofMembers(message, fields);
  for (let i = 0; i < fields.length; i++) {
    const occurrence = fields[i]!;
    if (dead[i]) continue;
    const field = message.byNumber.get(occurrence.number);
    if (field === undefined || field.required) {
      parts.view(bytes, occurrence.tagStart, occurrence.end);
      continue;
    }
    if (!mask.fields.has(occurrence.number)) continue;
    const sub = mask.fields.get(occurrence.number);
    if (sub === undefined || occurrence.wire !== LEN) {
      parts.view(bytes, occurrence.tagStart, occurrence.end);
      continue;
    }
    const payload = new Parts(bytes);
    if (field.isMap) projectEntry(bytes, occurrence, sub, payload, depthLeft - 1);
    else if (field.repeated) projectMessage(bytes, [occurrence.payloadStart, occurrence.end], sub, payload, depthLeft - 1);
    else {
      // A singular message: written once, at its last live occurrence, as the merge of them all.
      const merged: number[] = [];
      let last = i;
      for (let j = 0; j < fields.length; j++) {
        const other = fields[j]!;
        if (other.number !== occurrence.number || dead[j] || other.wire !== LEN) continue;
        merged.push(other.payloadStart, other.end);
        last = j;
      }
      if (last !== i) continue;
      projectMessage(bytes, merged, sub, payload, depthLeft - 1);
    }
    parts.view(bytes, occurrence.tagStart, occurrence.valueStart);
    parts.append(varintBytes(payload.length));
    parts.take(payload);
  }
}

/** For each occurrence, whether a later occurrence of another member of its oneof clears it. */
function deadOneofMembers(message: ProtoPathMessage, fields: readonly Occurrence[]): boolean[] {
  const dead = new Array<boolean>(fields.length).fill(false);
  const seenLater = new Set<number>();
  for (let i = fields.length - 1; i >= 0; i--) {
    const number = fields[i]!.number;
    const siblings = message.byNumber.get(number)?.oneofSiblings;
    if (siblings !== undefined && siblings.some((sibling) => seenLater.has(sibling))) dead[i] = true;
    seenLater.add(number);
  }
  return dead;
}

/** A map entry with its message value (field 2) masked and its key kept. */
function projectEntry(bytes: Uint8Array, entry: Occurrence, mask: ProtoMask, parts: Parts, depthLeft: number): void {
  const fields: Occurrence[] = [];
  scanFields(bytes, [entry.payloadStart, entry.end], depthLeft, () => true, fields);
  for (const field of fields) {
    if (field.number !== 2 || field.wire !== LEN) {
      parts.view(bytes, field.tagStart, field.end);
      continue;
    }
    const value = new Parts(bytes);
    projectMessage(bytes, [field.payloadStart, field.end], mask, value, depthLeft - 1);
    parts.view(bytes, field.tagStart, field.valueStart);
    parts.append(varintBytes(value.length));
    parts.take(value);
  }
}
