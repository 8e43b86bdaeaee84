/**
 * A loaded set of Thrift IDL files: where codecs and service descriptions come from. Codecs are
 * generated on first request and cached per (type, options).
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { Codec } from './codec.js';
import { optionsKey, resolveCodecOptions, type CodecOptions } from './codec-options.js';
import { compileStruct } from './codegen/compile.js';
import type { EnumDef, ServiceDef, StructDef, ThriftModel } from './model.js';
import { ServiceDescriptor } from './service.js';

/** The result of `thrift.parse`/`thrift.load`: the resolved model plus codec factories. */
export class ThriftDocument {
  private readonly codecs = new Map<string, Codec>();
  private readonly services = new Map<string, ServiceDescriptor>();

  /** @param model the resolved IDL, as the parser produces it */
  constructor(readonly model: ThriftModel) {}

  /**
   * The codec of struct, union or exception `name` (bare for the root file's types,
   * `prefix.Name` for included ones) with `options`. ERR_UNKNOWN_TYPE when there is no such type,
   * ERR_INVALID_ARGUMENT for bad options.
   */
  codec<T = any>(name: string, options?: CodecOptions): Codec<T> {
    const struct = this.struct(name);
    const resolved = resolveCodecOptions(options);
    const cacheKey = `${struct.key}|${optionsKey(resolved)}`;
    let codec = this.codecs.get(cacheKey);
    if (codec === undefined) {
      codec = this.codecFor(struct, resolved);
      this.codecs.set(cacheKey, codec);
    }
    return codec as Codec<T>;
  }

  /** @internal Compiles a codec for a struct that may not be in the model (method arguments and results). */
  codecFor(struct: StructDef, options: ReturnType<typeof resolveCodecOptions>): Codec {
    return new Codec(struct, options, compileStruct(struct, (key) => this.structByKey(key), options), (key) => this.structByKey(key));
  }

  /**
   * The service `name`, with its inherited methods, for codecs in `options` (protocol and value
   * mapping of arguments and results).
   */
  service(name: string, options?: CodecOptions): ServiceDescriptor {
    const def = this.serviceDef(name);
    const resolved = resolveCodecOptions(options);
    const cacheKey = `${def.key}|${optionsKey(resolved)}`;
    let service = this.services.get(cacheKey);
    if (service === undefined) {
      service = new ServiceDescriptor(this, def, resolved);
      this.services.set(cacheKey, service);
    }
    return service;
  }

  /** The definition of struct, union or exception `name`. */
  struct(name: string): StructDef {
    const key = this.resolve(name, this.model.structs);
    if (key === undefined) throw unknown('struct, union or exception', name);
    return this.model.structs.get(key)!;
  }

  /** The definition of enum `name`. */
  enum(name: string): EnumDef {
    const key = this.resolve(name, this.model.enums);
    if (key === undefined) throw unknown('enum', name);
    return this.model.enums.get(key)!;
  }

  /** The definition of service `name`. */
  serviceDef(name: string): ServiceDef {
    const key = this.resolve(name, this.model.services);
    if (key === undefined) throw unknown('service', name);
    return this.model.services.get(key)!;
  }

  /** @internal A struct by its model key. */
  structByKey(key: string): StructDef {
    const struct = this.model.structs.get(key);
    if (struct === undefined) throw unknown('struct, union or exception', key);
    return struct;
  }

  /** A key as given, or the root file's `prefix.name`, whichever `map` has. */
  private resolve(name: string, map: ReadonlyMap<string, unknown>): string | undefined {
    if (typeof name !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'a type name must be a string');
    const local = `${this.model.root.prefix}.${name}`;
    if (map.has(local)) return local;
    return map.has(name) ? name : undefined;
  }
}

function unknown(what: string, name: string): HeddleError {
  return new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, `no ${what} named '${name}'`);
}
