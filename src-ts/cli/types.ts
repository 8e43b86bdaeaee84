/**
 * `heddle types`: TypeScript declarations from Thrift IDL and .proto files, in the value mapping
 * of the codec options given, for `doc.codec<T>()`, `root.codec<T>()`, `rpc.createClient<S>()`
 * and `rpc.createServer<S>()`.
 */
import { writeFileSync } from 'node:fs';
import { HeddleError } from '../errors.js';
import { protobufTypes } from '../typegen/protobuf-types.js';
import { thriftTypes } from '../typegen/thrift-types.js';
import { Root } from '../protobuf/root.js';
import { loadIdl } from './call-target.js';
import { flagChoice, flagValue, parseFlags, UsageError, type FlagSpec } from './flags.js';

/** The text `heddle types --help` prints. */
export const TYPES_USAGE = `usage: heddle types [flags] <idl files...>

Writes TypeScript declarations for the structs, unions, exceptions, enums, consts and services of
Thrift IDL files, and the messages, enums and services of .proto files (with what they import)
and of descriptor sets (.pb, .binpb, .protoset, .desc).
Give the codec options your code uses, so the types are exactly what the codecs decode.

flags:
  --out <file>              write to <file> instead of stdout
  -I, --include <dir>       directory to search for includes/imports (repeatable)
  --i64 <form>              64-bit integers: bigint (default), string or number
  --map <form>              Thrift maps: map (default, Map) or object (Record<string, V>)
  --set <form>              Thrift sets: array (default) or set (Set)
  --binary <form>           Thrift binary: Uint8Array (default) or Buffer
  --unset <form>            Thrift fields a struct lacks: absent (default) or null
  --typed-arrays            numeric lists as TypedArrays (Float64Array, BigInt64Array, ...)
  --keep-case               Protobuf: .proto field names instead of lowerCamelCase
  -h, --help                print this text

examples:
  heddle types idl/echo.thrift --out src/echo-types.ts
  heddle types api/echo.proto -I api --i64 string --out src/echo-types.ts
  # then: rpc.createClient<EchoService>({ idl, service: 'EchoService', address })`;

const FLAGS: FlagSpec[] = [
  { name: 'out' },
  { name: 'include', short: 'I', repeat: true },
  { name: 'i64' },
  { name: 'map' },
  { name: 'set' },
  { name: 'binary' },
  { name: 'unset' },
  { name: 'typed-arrays', boolean: true },
  { name: 'keep-case', boolean: true },
  { name: 'help', short: 'h', boolean: true },
];

/** Runs `heddle types` with `args`; resolves to the exit status. */
export async function runTypes(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  try {
    const flags = parseFlags(args, FLAGS);
    if (flags.values.has('help')) {
      out(TYPES_USAGE + '\n');
      return 0;
    }
    if (flags.positional.length === 0) throw new UsageError('expected at least one IDL file');
    const i64 = flagChoice(flags, 'i64', ['bigint', 'string', 'number'] as const, 'bigint');
    const typedArrays = flags.values.has('typed-arrays');
    const thriftOptions = {
      i64,
      map: flagChoice(flags, 'map', ['map', 'object'] as const, 'map'),
      set: flagChoice(flags, 'set', ['array', 'set'] as const, 'array'),
      binary: flagChoice(flags, 'binary', ['Uint8Array', 'Buffer'] as const, 'Uint8Array'),
      unset: flagChoice(flags, 'unset', ['absent', 'null'] as const, 'absent'),
      typedArrays,
    };
    const protobufOptions = { int64: i64, keepCase: flags.values.has('keep-case'), typedArrays };
    const includes = flags.values.get('include') ?? [];
    const parts = flags.positional.map((file) => {
      const idl = loadIdl(file, includes);
      return { file, text: idl instanceof Root ? protobufTypes(idl, protobufOptions, [file]) : thriftTypes(idl, thriftOptions, [file]) };
    });
    const text = mergeDeclarations(parts);
    const target = flagValue(flags, 'out');
    if (target === undefined) out(text);
    else writeFileSync(target, text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`heddle types: ${error.message}\n(heddle types --help for usage)\n`);
      return 2;
    }
    err(`heddle types: ${error instanceof HeddleError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/**
 * One module from the declarations of several IDL files: a declaration two files share (an include
 * both use) is written once; two different declarations of one name are an error, since one module
 * cannot hold both.
 */
export function mergeDeclarations(parts: ReadonlyArray<{ file: string; text: string }>): string {
  if (parts.length === 1) return parts[0]!.text;
  const seen = new Map<string, { file: string; block: string }>();
  const blocks: string[] = [];
  for (const { file, text } of parts) {
    // Each declaration is one block after a blank line; the first block is the file's header.
    const [head, ...declarations] = text.trimEnd().split('\n\n');
    blocks.push(head!);
    for (const block of declarations) {
      const name = /^export (?:interface|type|const) ([A-Za-z0-9_$]+)/m.exec(block)?.[1] ?? block;
      const earlier = seen.get(name);
      if (earlier === undefined) {
        seen.set(name, { file, block });
        blocks.push(block);
      } else if (earlier.block !== block) {
        throw new UsageError(`${file} and ${earlier.file} both declare '${name}', differently: generate them into separate --out files`);
      }
    }
  }
  return blocks.join('\n\n') + '\n';
}
