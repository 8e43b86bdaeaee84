import type { Token } from '../parser/lexer.js';
import { FieldLabel, FieldType, type DescriptorProto, type FieldDescriptorProto, type OptionsValue } from './descriptor-proto.js';
import type { LinkContext } from './link-context.js';

/** A text-format error inside an aggregate option value; the caller adds where and which option. */
export class TextFormatError extends Error {}

/**
 * Parses the text-format body of an aggregate option value (`{ a: 1 b { c: "x" } [ext]: 2 }`)
 * into a value of message type `typeName`, in the same shape as decoded messages.
 */
export function parseTextFormatMessage(ctx: LinkContext, tokens: Token[], typeName: string, scope: string): OptionsValue {
  const reader = new TextFormatReader(ctx, tokens, scope);
  const value = reader.message(typeName, undefined);
  return value;
}

const INT_TYPES = new Set<number>([
  FieldType.INT32, FieldType.SINT32, FieldType.SFIXED32, FieldType.UINT32, FieldType.FIXED32,
  FieldType.INT64, FieldType.SINT64, FieldType.SFIXED64, FieldType.UINT64, FieldType.FIXED64,
]);
const UNSIGNED_TYPES = new Set<number>([FieldType.UINT32, FieldType.FIXED32, FieldType.UINT64, FieldType.FIXED64]);
const INT64_TYPES = new Set<number>([
  FieldType.INT64, FieldType.SINT64, FieldType.SFIXED64, FieldType.UINT64, FieldType.FIXED64,
]);

class TextFormatReader {
  private index = 0;

  constructor(private readonly ctx: LinkContext, private readonly tokens: Token[], private readonly scope: string) {}

  private get current(): Token | undefined {
    return this.tokens[this.index];
  }

  private fail(message: string): never {
    const t = this.current;
    throw new TextFormatError(t === undefined ? message : `${message} (at "${t.text}")`);
  }

  private tryConsume(text: string): boolean {
    const t = this.current;
    if (t !== undefined && (t.kind === 'symbol' || t.kind === 'identifier') && t.text === text) {
      this.index++;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.tryConsume(text)) this.fail(`Expected "${text}".`);
  }

  /** Fields until `close` (or the end of the tokens at top level). */
  message(typeName: string, close: string | undefined): OptionsValue {
    const type = this.ctx.pool.message(typeName);
    if (type === undefined) this.fail(`Unknown message type "${typeName}".`);
    const value: OptionsValue = {};
    for (;;) {
      if (close === undefined ? this.current === undefined : this.tryConsume(close)) return value;
      if (this.current === undefined) this.fail(`Expected "${close}".`);
      this.field(type, typeName, value);
      if (!this.tryConsume(',')) this.tryConsume(';');
    }
  }

  private field(type: DescriptorProto, typeName: string, into: OptionsValue): void {
    let field: FieldDescriptorProto | undefined;
    let key: string;
    if (this.tryConsume('[')) {
      let name = this.identifier();
      while (this.tryConsume('.')) name += '.' + this.identifier();
      this.expect(']');
      const found = this.ctx.lookup(name, this.scope).entry;
      if (found?.kind !== 'field' || found.node.extendee !== '.' + typeName) {
        this.fail(`Extension "${name}" is not defined or is not an extension of "${typeName}".`);
      }
      field = found.node;
      key = `[${found.fullName}]`;
    } else {
      const name = this.identifier();
      field = type.field.find((f) => f.name === name) ??
        type.field.find((f) => f.type === FieldType.GROUP && f.type_name!.endsWith('.' + name));
      if (field === undefined) this.fail(`Message type "${typeName}" has no field named "${name}".`);
      key = field.name!;
    }
    const isMessage = field.type === FieldType.MESSAGE || field.type === FieldType.GROUP;
    const colon = this.tryConsume(':');
    if (!colon && !isMessage) this.fail('Expected ":".');
    const repeated = field.label === FieldLabel.REPEATED;
    if (repeated && this.tryConsume('[')) {
      const list = (into[key] ??= []) as unknown[];
      if (this.tryConsume(']')) return;
      do list.push(this.value(field)); while (this.tryConsume(','));
      this.expect(']');
      return;
    }
    const value = this.value(field);
    if (repeated) ((into[key] ??= []) as unknown[]).push(value);
    else {
      if (key in into) this.fail(`Non-repeated field "${field.name}" is specified multiple times.`);
      into[key] = value;
    }
  }

  private identifier(): string {
    const t = this.current;
    if (t?.kind !== 'identifier') this.fail('Expected identifier.');
    this.index++;
    return t.text;
  }

  private value(field: FieldDescriptorProto): unknown {
    const type = field.type!;
    if (type === FieldType.MESSAGE || type === FieldType.GROUP) {
      if (this.tryConsume('{')) return this.message(field.type_name!.slice(1), '}');
      if (this.tryConsume('<')) return this.message(field.type_name!.slice(1), '>');
      return this.fail('Expected "{".');
    }
    if (type === FieldType.STRING || type === FieldType.BYTES) {
      const parts: Uint8Array[] = [];
      while (this.current?.kind === 'string') parts.push(this.tokens[this.index++]!.bytes!);
      if (parts.length === 0) this.fail('Expected string.');
      const bytes = Uint8Array.from(parts.flatMap((p) => [...p]));
      return type === FieldType.BYTES ? bytes : new TextDecoder().decode(bytes);
    }
    const negative = this.tryConsume('-');
    const t = this.current;
    if (t === undefined) return this.fail('Unexpected end of value.');
    if (type === FieldType.BOOL) {
      this.index++;
      if (!negative && ['true', 'True', 't', '1'].includes(t.text)) return true;
      if (!negative && ['false', 'False', 'f', '0'].includes(t.text)) return false;
      return this.fail(`Invalid value for boolean field "${field.name}". Value: "${t.text}".`);
    }
    if (type === FieldType.ENUM) {
      this.index++;
      const enumName = field.type_name!.slice(1);
      const enumEntry = this.ctx.pool.symbols.get(enumName);
      const values = enumEntry?.kind === 'enum' ? enumEntry.node.value : [];
      if (t.kind === 'integer') {
        const n = Number(t.text) * (negative ? -1 : 1);
        return n;
      }
      const match = values.find((v) => v.name === t.text);
      if (match === undefined || negative) this.fail(`Unknown enumeration value of "${t.text}" for field "${field.name}".`);
      return match.number!;
    }
    if (INT_TYPES.has(type)) {
      if (t.kind !== 'integer') return this.fail(`Expected integer, got: ${t.text}`);
      this.index++;
      const magnitude = /^0[0-7]+$/.test(t.text) ? BigInt('0o' + t.text.slice(1)) : BigInt(t.text);
      const value = negative ? -magnitude : magnitude;
      const is64 = INT64_TYPES.has(type);
      const unsigned = UNSIGNED_TYPES.has(type);
      const bits = BigInt(is64 ? 64 : 32);
      const min = unsigned ? 0n : -(1n << (bits - 1n));
      const max = unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
      if (value < min || value > max) this.fail(`Integer out of range (${t.text})`);
      return is64 ? value : Number(value);
    }
    // float and double
    this.index++;
    let value: number;
    if (t.kind === 'integer' || t.kind === 'float') value = Number(t.text);
    else if (/^(inf|infinity)$/i.test(t.text)) value = Infinity;
    else if (/^nan$/i.test(t.text)) value = NaN;
    else return this.fail(`Expected double, got: ${t.text}`);
    if (negative) value = -value;
    return type === FieldType.FLOAT ? Math.fround(value) : value;
  }
}
