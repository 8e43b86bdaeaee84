/**
 * Services and their methods as the RPC layer needs them: per method, codecs for the argument
 * struct and the result struct (`success` as field 0, then the declared exceptions with their
 * ids), message encoding for calls and replies, and the mapping between result structs and
 * `ThriftException`s.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { applicationExceptionCodec, ApplicationExceptionType, remoteError } from './application-exception.js';
import type { Codec } from './codec.js';
import type { ResolvedCodecOptions } from './codec-options.js';
import type { ThriftDocument } from './document.js';
import { ThriftException } from './exception.js';
import { decodeMessageBody, decodeMessageHeader, encodeMessage, encodeMessageParts, type DecodedMessageHeader } from './message.js';
import type { FieldDef, FunctionDef, ServiceDef, StructDef } from './model.js';
import { MessageType } from './wire-types.js';

/** A declared exception of a method: the result field that carries it. */
export interface DeclaredException {
  /** The result field's name (`err` in `throws (1: EchoError err)`). */
  readonly field: string;
  readonly id: number;
  /** The exception struct's key in the model. */
  readonly key: string;
  /** The name `thrift.Exception` uses for it: bare for the root file's types, else `prefix.Name`. */
  readonly type: string;
}

/** One method of a service, with its codecs. */
export class MethodDescriptor {
  readonly name: string;
  readonly oneway: boolean;
  /** True when the method returns `void`: its result has no `success` field. */
  readonly returnsVoid: boolean;
  readonly def: FunctionDef;
  /** The service that declares the method (a base service for inherited methods). */
  readonly declaredIn: ServiceDef;
  readonly exceptions: readonly DeclaredException[];
  /** The synthetic `<method>_args` struct. */
  readonly argsStruct: StructDef;
  /** The synthetic `<method>_result` struct: `success` (id 0) unless void, then the exceptions. */
  readonly resultStruct: StructDef;
  private argsCodec?: Codec;
  private resultCodec?: Codec;

  /** @internal Use `service.method(name)`. */
  constructor(
    private readonly doc: ThriftDocument,
    declaredIn: ServiceDef,
    def: FunctionDef,
    private readonly options: ResolvedCodecOptions,
  ) {
    this.name = def.name;
    this.oneway = def.oneway;
    this.returnsVoid = def.returnType === undefined;
    this.def = def;
    this.declaredIn = declaredIn;
    const rootPrefix = `${doc.model.root.prefix}.`;
    this.exceptions = def.throws.map((f) => {
      const key = f.type.kind === 'struct' ? f.type.key : String(f.type.kind);
      return { field: f.name, id: f.id, key, type: key.startsWith(rootPrefix) ? key.slice(rootPrefix.length) : key };
    });
    const structKey = `${declaredIn.key}.${def.name}`;
    this.argsStruct = syntheticStruct(`${structKey}_args`, `${def.name}_args`, def.args, def);
    const success: FieldDef[] =
      def.returnType === undefined
        ? []
        : [{ id: 0, implicitId: false, name: 'success', type: def.returnType, requiredness: 'optional', annotations: {}, loc: def.loc }];
    const throws = def.throws.map((f): FieldDef => ({ ...f, requiredness: 'optional' }));
    this.resultStruct = syntheticStruct(`${structKey}_result`, `${def.name}_result`, [...success, ...throws], def);
  }

  /** Codec of the argument struct; values are objects keyed by parameter name. */
  get args(): Codec {
    return (this.argsCodec ??= this.doc.codecFor(this.argsStruct, this.options));
  }

  /** Codec of the result struct: `{ success }` or `{ <exception field>: value }`. */
  get result(): Codec {
    return (this.resultCodec ??= this.doc.codecFor(this.resultStruct, this.options));
  }

  /** Encodes a CALL (or ONEWAY) message with these arguments. */
  encodeCall(args: Record<string, unknown>, seqId: number): Uint8Array {
    const type = this.oneway ? MessageType.ONEWAY : MessageType.CALL;
    return encodeMessage({ name: this.name, type, seqId }, this.args, args);
  }

  /** Encodes a REPLY message carrying `result` (see {@link success} and {@link failure}). */
  encodeReply(result: Record<string, unknown>, seqId: number): Uint8Array {
    return encodeMessage({ name: this.name, type: MessageType.REPLY, seqId }, this.result, result);
  }

  /** {@link encodeCall} as parts, `binary` values of at least `linkFrom` bytes linked, not
   * copied: they must not change until the parts are written (see `encodeMessageParts`). */
  encodeCallParts(args: Record<string, unknown>, seqId: number, linkFrom: number): Uint8Array[] {
    const type = this.oneway ? MessageType.ONEWAY : MessageType.CALL;
    return encodeMessageParts({ name: this.name, type, seqId }, this.args, args, linkFrom);
  }

  /** {@link encodeReply} as parts, linking as {@link encodeCallParts} does. */
  encodeReplyParts(result: Record<string, unknown>, seqId: number, linkFrom: number): Uint8Array[] {
    return encodeMessageParts({ name: this.name, type: MessageType.REPLY, seqId }, this.result, result, linkFrom);
  }

  /**
   * Decodes a CALL/ONEWAY message for this method into its header and arguments. `header`, when
   * the caller has read the envelope already, is not read again.
   */
  decodeCall(bytes: Uint8Array, header = decodeMessageHeader(bytes, this.options.protocol)): { header: DecodedMessageHeader; args: Record<string, unknown> } {
    return { header, args: decodeMessageBody(bytes, header, this.args, this.options.protocol) };
  }

  /**
   * Decodes a REPLY (its result struct) or an EXCEPTION message; the latter throws the RemoteError
   * (ERR_REMOTE) made from its TApplicationException. `header`, when the caller has read the
   * envelope already, is not read again.
   */
  decodeReply(bytes: Uint8Array, header = decodeMessageHeader(bytes, this.options.protocol)): { header: DecodedMessageHeader; result: Record<string, unknown> } {
    const protocol = this.options.protocol;
    if (header.type === MessageType.EXCEPTION) {
      throw remoteError(decodeMessageBody(bytes, header, applicationExceptionCodec(protocol), protocol), this.name);
    }
    if (header.type !== MessageType.REPLY) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `expected a REPLY to '${this.name}', got message type ${header.type}`);
    }
    return { header, result: decodeMessageBody(bytes, header, this.result, protocol) };
  }

  /** The result value for a successful call returning `value` (ignored for void methods). */
  success(value?: unknown): Record<string, unknown> {
    return this.returnsVoid ? {} : { success: value };
  }

  /**
   * The result value carrying `error` when it is one of this method's declared exceptions, else
   * undefined (the server should then reply with a TApplicationException).
   */
  failure(error: unknown): Record<string, unknown> | undefined {
    if (!(error instanceof ThriftException)) return undefined;
    const declared = this.exceptions.find((e) => e.type === error.type || e.key === error.type);
    return declared === undefined ? undefined : { [declared.field]: error.value };
  }

  /**
   * What a client call returns for a decoded result: the success value (undefined for void), or
   * a thrown `ThriftException` for a declared exception. A non-void result with neither is a
   * RemoteError of type MISSING_RESULT, as Apache Thrift clients report it.
   */
  unwrap(result: Record<string, unknown>): unknown {
    for (const declared of this.exceptions) {
      const value = result[declared.field];
      // null too: codecs with `unset: 'null'` decode every absent field as null.
      if (value != null) throw new ThriftException(declared.type, value as object);
    }
    if (this.returnsVoid) return undefined;
    if (result.success == null) {
      throw remoteError({ type: ApplicationExceptionType.MISSING_RESULT, message: `${this.name} failed: unknown result` }, this.name);
    }
    return result.success;
  }
}

function syntheticStruct(key: string, name: string, fields: FieldDef[], def: FunctionDef): StructDef {
  return { kind: 'struct', key, name, fields, annotations: {}, loc: def.loc };
}

/** A service with its own and inherited methods. */
export class ServiceDescriptor {
  readonly name: string;
  readonly def: ServiceDef;
  /** Every method by name, inherited ones included (a service's own override its bases'). */
  readonly methods: ReadonlyMap<string, MethodDescriptor>;

  /** @internal Use `doc.service(name)`. */
  constructor(doc: ThriftDocument, def: ServiceDef, options: ResolvedCodecOptions) {
    this.name = def.name;
    this.def = def;
    const chain: ServiceDef[] = [];
    const seen = new Set<string>();
    for (let current: ServiceDef | undefined = def; current !== undefined; ) {
      if (seen.has(current.key)) throw new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, `service ${current.key} extends itself`);
      seen.add(current.key);
      chain.push(current);
      current = current.extends === undefined ? undefined : doc.model.services.get(current.extends);
    }
    const methods = new Map<string, MethodDescriptor>();
    for (const service of chain.reverse()) {
      for (const fn of service.functions) methods.set(fn.name, new MethodDescriptor(doc, service, fn, options));
    }
    this.methods = methods;
  }

  /** The names of every method, inherited ones first. */
  get methodNames(): string[] {
    return [...this.methods.keys()];
  }

  /** The method `name`; ERR_UNKNOWN_TYPE when the service (with its bases) has none. */
  method(name: string): MethodDescriptor {
    const method = this.methods.get(name);
    if (method === undefined) throw new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, `service ${this.name} has no method '${name}'`);
    return method;
  }
}
