/**
 * `load(idlPath)` / `parse(source)`: what `thrift --gen js:node` would write for an IDL file, made
 * at run time. The result has the file's types module (`types`, as `<file>_types.js`), its service
 * modules (`services.Calculator`, also as `Calculator`, as `Calculator.js`), and the same for each
 * included file under `includes.<prefix>`.
 */
import { load as loadDocument, parse as parseDocument } from '../../thrift/index.js';
import type { ThriftDocument } from '../../thrift/document.js';
import { programName } from '../../thrift/idl/source-file.js';
import type { LoadOptions, ParseOptions } from '../../thrift/idl/index.js';
import { serviceModule, type ServiceModule } from './service-module.js';
import { StructClasses, typesModule } from './types-module.js';
import type { I64Form } from './const-values.js';
import { ErrorCode, HeddleError } from '../../errors.js';

/** One IDL file's generated-style modules. */
export interface CompatModule {
  /** The `<file>_types.js` module: struct, union and exception classes, enums, constants. */
  readonly types: Record<string, any>;
  /** The `<Service>.js` modules by service name. */
  readonly services: Record<string, ServiceModule>;
  /** The modules of the files this one includes, by include prefix (`shared`). */
  readonly includes: Record<string, CompatModule>;
  /** The heddle document behind them, for heddle's own codecs and RPC. */
  readonly document: ThriftDocument;
  /** Service modules are also here by name. */
  readonly [service: string]: unknown;
}

/** Value options of compat modules beyond gen-nodejs's fixed ones. */
export interface ValueOptions {
  /** JS form of i64 values in constants, calls and replies: `'node-int64'` (default, as gen-nodejs), `'bigint'`, `'number'`, `'string'`. */
  i64?: I64Form;
}

/** Loads an IDL file (includes resolved from disk) as gen-nodejs-shaped modules. */
export function load(idlPath: string, options: LoadOptions & ValueOptions = {}): CompatModule {
  const { i64, ...parse } = options;
  return modulesOf(loadDocument(idlPath, parse), { i64 });
}

/** Parses IDL source (includes given as `options.includes`) as gen-nodejs-shaped modules. */
export function parse(source: string, options: ParseOptions & ValueOptions = {}): CompatModule {
  const { i64, ...rest } = options;
  return modulesOf(parseDocument(source, rest), { i64 });
}

/** The modules of every file of `doc`, the root's returned with the others under `includes`. */
export function modulesOf(doc: ThriftDocument, options: ValueOptions = {}): CompatModule {
  const model = doc.model;
  const i64 = options.i64 ?? 'node-int64';
  if (!['node-int64', 'bigint', 'number', 'string'].includes(i64)) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option i64 must be one of 'node-int64', 'bigint', 'number', 'string', got ${JSON.stringify(i64)}`);
  }
  const classes = new StructClasses(model, i64);
  const made = new Map<string, CompatModule>();
  const fileModule = (prefix: string): CompatModule => {
    const existing = made.get(prefix);
    if (existing !== undefined) return existing;
    const file = model.files.find((f) => f.prefix === prefix)!;
    const services: Record<string, ServiceModule> = {};
    const includes: Record<string, CompatModule> = {};
    const module: Record<string, unknown> = { types: typesModule(model, prefix, classes), services, includes, document: doc };
    made.set(prefix, module as CompatModule);
    for (const key of file.definitions) {
      const def = model.services.get(key);
      if (def === undefined) continue;
      services[def.name] = serviceModule(doc, key, classes);
      if (!(def.name in module)) module[def.name] = services[def.name];
    }
    for (const include of file.includes) {
      const base = programName(include);
      if (model.files.some((f) => f.prefix === base)) includes[base] = fileModule(base);
    }
    return module as CompatModule;
  };
  return fileModule(model.root.prefix);
}
