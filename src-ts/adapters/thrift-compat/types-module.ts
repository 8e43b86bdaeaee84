/**
 * The `<file>_types.js` module gen-nodejs writes, built at run time from one IDL file: a class per
 * struct and union (fields `null` unless given or defaulted), a class per exception extending
 * TException with `name` set, enums as objects of numbers, constants as values.
 */
import type { StructDef, ThriftModel } from '../../thrift/model.js';
import { constToValue, type ConstContext, type I64Form } from './const-values.js';
import { TException } from './exceptions.js';

/** A generated-style struct or exception class: `new Work({ num1: 1 })`. */
export type StructClass = new (args?: Record<string, unknown> | null) => Record<string, unknown>;

/** The classes of every struct, union and exception of a model, by key; made on first use. */
export class StructClasses implements ConstContext {
  private readonly classes = new Map<string, StructClass>();

  constructor(readonly model: ThriftModel, readonly i64: I64Form = 'node-int64') {}

  /** The class of struct `key` (`prefix.Name`). */
  of(key: string): StructClass {
    let made = this.classes.get(key);
    if (made === undefined) {
      made = this.make(this.model.structs.get(key)!);
      this.classes.set(key, made);
    }
    return made;
  }

  /** An instance of struct `key` holding `fields`. */
  readonly instance = (key: string, fields: Record<string, unknown>): unknown => new (this.of(key))(fields);

  private make(def: StructDef): StructClass {
    const fields = def.fields.map((field) => ({
      name: field.name,
      required: field.requiredness === 'required',
      initial: field.default === undefined ? () => null : () => constToValue(field.type, field.default!, this),
      // gen-nodejs wraps a struct-typed argument in its class, so nested values have methods too.
      nested: field.type.kind === 'struct' ? field.type.key : undefined,
    }));
    const assign = (target: Record<string, unknown>, args: Record<string, unknown> | null | undefined): void => {
      for (const field of fields) {
        const given = args == null ? undefined : args[field.name];
        if (given != null) {
          target[field.name] = field.nested !== undefined && !(given instanceof this.of(field.nested)) ? new (this.of(field.nested))(given as Record<string, unknown>) : given;
          continue;
        }
        // The default is built only for a field that keeps it (a fresh value each time: defaults
        // can be mutable objects).
        target[field.name] = field.initial();
        if (args != null && field.required) throw new TException(`Required field ${field.name} is unset!`);
      }
    };
    const name = def.name;
    if (def.kind === 'exception') {
      const made = {
        [name]: class extends TException {
          constructor(args?: Record<string, unknown> | null) {
            // gen-nodejs passes the type's name as the message; a field called `message` overrides it.
            super(name);
            this.name = name;
            assign(this as unknown as Record<string, unknown>, args);
          }
        },
      }[name]!;
      return made as unknown as StructClass;
    }
    const made = {
      [name]: class {
        constructor(args?: Record<string, unknown> | null) {
          assign(this as unknown as Record<string, unknown>, args);
        }
      },
    }[name]!;
    return made as unknown as StructClass;
  }
}

/** The types module of the file whose prefix is `prefix`: its classes, enums and constants by name. */
export function typesModule(model: ThriftModel, prefix: string, classes: StructClasses): Record<string, unknown> {
  const file = model.files.find((f) => f.prefix === prefix)!;
  const types: Record<string, unknown> = {};
  for (const key of file.definitions) {
    const struct = model.structs.get(key);
    if (struct !== undefined) types[struct.name] = classes.of(key);
    const enumDef = model.enums.get(key);
    if (enumDef !== undefined) types[enumDef.name] = Object.fromEntries(enumDef.values.map((v) => [v.name, v.value]));
    const constDef = model.consts.get(key);
    if (constDef !== undefined) types[constDef.name] = constToValue(constDef.type, constDef.value, classes);
  }
  return types;
}
