/**
 * Compiles the codec of one root struct: generates an encoder and a decoder for the root and every
 * struct it reaches (recursion included: functions call each other by name), assembles them into
 * one module with the runtime helpers it uses, and instantiates it with `new Function`.
 */
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { StructDef } from '../model.js';
import { runtime, RUNTIME_NAMES } from '../runtime/index.js';
import { binaryDecodeDialect, binaryEncodeDialect } from './binary-dialect.js';
import { compactDecodeDialect, compactEncodeDialect } from './compact-dialect.js';
import type { GenerationContext } from './context.js';
import { emitStructDecoder } from './decoder.js';
import { emitStructEncoder } from './encoder.js';
import { inputAccess } from './input-access.js';
import { NameTable } from './identifiers.js';
import { SourceWriter } from './source-writer.js';

/** A struct encoder as generated: writes `value` at `w.pos`, `depth` being its nesting level. */
export type StructEncoder = (w: unknown, value: unknown, depth: number) => void;
/** A struct decoder as generated: reads a struct at `r.pos`, `depth` being its nesting level. */
export type StructDecoder = (r: unknown, depth: number) => unknown;

/** A compiled module: the root's functions and the source they came from. */
export interface CompiledStruct {
  readonly encode: StructEncoder;
  readonly decode: StructDecoder;
  readonly source: string;
  /**
   * The decoder for input in pieces (a SegmentedReadState), generated on first call: most codecs
   * never see a message spread over LinkBuffer slabs, so they never pay for a second module.
   */
  readonly decodeInPieces: () => StructDecoder;
}

/**
 * Generates and instantiates the codec of `root`. `lookupStruct` resolves struct keys (model
 * structs and synthetic ones such as method argument structs).
 */
export function compileStruct(
  root: StructDef,
  lookupStruct: (key: string) => StructDef,
  options: ResolvedCodecOptions,
): CompiledStruct {
  const source = generateModule(root, lookupStruct, options, false);
  const { encode, decode } = instantiate(source);
  let inPieces: StructDecoder | undefined;
  const decodeInPieces = (): StructDecoder => (inPieces ??= instantiate(generateModule(root, lookupStruct, options, true)).decode);
  return { encode, decode, source, decodeInPieces };
}

function instantiate(source: string): { encode: StructEncoder; decode: StructDecoder } {
  const factory = new Function('rt', source) as (rt: typeof runtime) => { encode: StructEncoder; decode: StructDecoder };
  return factory(runtime);
}

/** The module's source: encoders and decoders, or (`segmented`) decoders for input in pieces only. */
function generateModule(root: StructDef, lookupStruct: (key: string) => StructDef, options: ResolvedCodecOptions, segmented: boolean): string {
  const names = new NameTable();
  const encoders = new Map<string, string>();
  const decoders = new Map<string, string>();
  const pending: Array<{ kind: 'encode' | 'decode'; key: string }> = [];
  const schedule = (kind: 'encode' | 'decode', table: Map<string, string>, key: string): string => {
    let name = table.get(key);
    if (name === undefined) {
      lookup(key); // fails early, with the name, for an unknown key
      name = names.unique(`${kind}_${key}`);
      table.set(key, name);
      pending.push({ kind, key });
    }
    return name;
  };
  const structs = new Map<string, StructDef>([[root.key, root]]);
  const lookup = (key: string): StructDef => structs.get(key) ?? lookupStruct(key);
  const constants: string[] = [];
  const binary = options.protocol === 'binary';
  const ctx: GenerationContext = {
    options,
    encoding: binary ? binaryEncodeDialect(options) : compactEncodeDialect(options),
    decoding: binary ? binaryDecodeDialect(options, inputAccess(segmented)) : compactDecodeDialect(options, inputAccess(segmented)),
    lookupStruct: lookup,
    encoderOf: (key) => schedule('encode', encoders, key),
    decoderOf: (key) => schedule('decode', decoders, key),
    moduleConstant: (prefix, init) => {
      const name = names.unique(prefix);
      constants.push(`const ${name} = ${init};`);
      return name;
    },
  };
  const rootEncoder = segmented ? 'undefined' : ctx.encoderOf(root.key);
  const rootDecoder = ctx.decoderOf(root.key);
  const body = new SourceWriter();
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const struct = lookup(next.key);
    if (next.kind === 'encode') emitStructEncoder(body, encoders.get(next.key)!, struct, ctx);
    else emitStructDecoder(body, decoders.get(next.key)!, struct, ctx);
  }
  body.line(`return { encode: ${rootEncoder}, decode: ${rootDecoder} };`);
  const text = body.toString();
  // Module constants may call runtime members too (`new MapShapes()`).
  const searched = [...constants, text].join('\n');
  const used = RUNTIME_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(searched));
  const head = new SourceWriter();
  head.line("'use strict';");
  head.comment(`heddle Thrift ${segmented ? 'decoder of input in pieces' : 'codec'} for ${root.key}: ${describeOptions(options)}.`);
  head.line(`const MAX_DEPTH = ${options.maxDepth};`);
  if (used.length > 0) head.line(`const { ${used.join(', ')} } = rt;`);
  for (const constant of constants) head.line(constant);
  head.line('');
  const sourceUrl = options.debug ? `//# sourceURL=heddle-thrift/${root.key}.${options.protocol}${segmented ? '.pieces' : ''}.js\n` : '';
  return head.toString() + text + sourceUrl;
}

function describeOptions(options: ResolvedCodecOptions): string {
  return `protocol ${options.protocol}, fields in ${options.fieldOrder} order, i64 as ${options.i64}, maps as ${options.map}, sets as ${options.set}` +
    `${options.unset === 'null' ? ', unset fields null' : ''}${options.binary === 'Buffer' ? ', binary as Buffer' : ''}${options.bytes === 'copy' ? ', binary copied' : ''}` +
    `${options.typedArrays ? ', numeric lists as TypedArrays' : ''}, maxDepth ${options.maxDepth}`;
}
