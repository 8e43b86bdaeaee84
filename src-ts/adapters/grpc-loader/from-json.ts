import { HeddleError } from '../../errors.js';
import { parse } from '../../protobuf/index.js';
import type { Root } from '../../protobuf/root.js';
import { WELL_KNOWN_SOURCES } from '../../protobuf/wkt/well-known-sources.js';

/** A protobufjs JSON namespace (what `root.toJSON()` and `pbjs -t json` give). */
export interface ProtobufjsNamespace {
  nested?: Record<string, ProtobufjsNamespace>;
  fields?: Record<string, { type: string; id: number; rule?: string; keyType?: string; options?: Record<string, unknown> }>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<string, {
    requestType: string; responseType: string; requestStream?: boolean; responseStream?: boolean; options?: Record<string, unknown>;
  }>;
  options?: Record<string, unknown>;
  edition?: string;
  syntax?: string;
}

/**
 * A root built from a protobufjs JSON namespace: the types of each package and syntax become a
 * .proto file of their own (importing the others and the well-known types, which are taken from
 * heddle's built-in copies), which heddle's parser then checks and links as it does any .proto
 * file. A type without `edition` is proto3, as protobufjs reads it (`toJSON` does not write the
 * syntax of proto3 files).
 */
export function fromProtobufjsJson(json: ProtobufjsNamespace): Root {
  if (typeof json !== 'object' || json === null) throw new HeddleError('ERR_INVALID_ARGUMENT', 'fromJSON expects a protobufjs JSON namespace');
  /** Declarations by file name; each file holds one package in one syntax. */
  const files = new Map<string, { pkg: string; syntax: string; lines: string[] }>();
  const collect = (ns: ProtobufjsNamespace, path: string[]): void => {
    for (const [name, child] of Object.entries(ns.nested ?? {})) {
      if (child.fields !== undefined || child.values !== undefined || child.methods !== undefined) {
        const pkg = path.join('.');
        if (pkg === 'google.protobuf') continue;
        const syntax = child.edition ?? child.syntax ?? 'proto3';
        if (syntax !== 'proto2' && syntax !== 'proto3') {
          throw new HeddleError('ERR_INVALID_ARGUMENT', `fromJSON: ${[...path, name].join('.')} has edition ${syntax}; only proto2 and proto3 are supported`);
        }
        const file = `${pkg === '' ? 'root' : pkg.replace(/\./g, '/')}${syntax === 'proto2' ? '.proto2' : ''}.proto`;
        const entry = files.get(file) ?? { pkg, syntax, lines: [] };
        entry.lines.push(...declaration(name, child, '', syntax === 'proto2'));
        files.set(file, entry);
      } else collect(child, [...path, name]);
    }
  };
  collect(json, []);
  const names = [...files.keys()];
  const wkt = wellKnownImports(json.nested?.google?.nested?.protobuf?.nested ?? {});
  const sources: Record<string, string> = {};
  for (const [file, { pkg, syntax, lines }] of files) {
    const imports = [...names.filter((f) => f !== file), ...wkt].map((f) => `import "${f}";`);
    sources[file] = [`syntax = "${syntax}";`, pkg === '' ? '' : `package ${pkg};`, ...imports, ...lines].join('\n');
  }
  const main = [`syntax = "proto3";`, ...names.map((f) => `import "${f}";`)].join('\n');
  return parse(main, { filename: 'from-json.proto', imports: sources });
}

/**
 * The well-known type files that define the google.protobuf types the JSON carries (protobufjs
 * writes the ones its .proto files imported), so the PackageDefinition lists the same types.
 */
function wellKnownImports(carried: Record<string, unknown>): string[] {
  return [...WELL_KNOWN_SOURCES].filter(([file, source]) => file !== 'google/protobuf/descriptor.proto' &&
    [...source.matchAll(/^(?:message|enum) (\w+)/gm)].some((m) => m[1]! in carried)).map(([file]) => file);
}

/** The method options a .proto states without an import: protobufjs writes them by name. */
const METHOD_OPTIONS: Record<string, (value: unknown) => string | undefined> = {
  deprecated: (value) => (typeof value === 'boolean' ? String(value) : undefined),
  idempotency_level: (value) => (typeof value === 'string' && /^[A-Z_]+$/.test(value) ? value : undefined),
};

function methodBody(options: Record<string, unknown> | undefined, indent: string): string {
  const lines = Object.entries(options ?? {}).flatMap(([key, value]) => {
    const text = METHOD_OPTIONS[key]?.(value);
    return text === undefined ? [] : [`${indent}    option ${key} = ${text};`];
  });
  return lines.length === 0 ? ';' : ` {\n${lines.join('\n')}\n${indent}  }`;
}

function declaration(name: string, ns: ProtobufjsNamespace, indent: string, proto2: boolean): string[] {
  if (ns.values !== undefined) {
    return [`${indent}enum ${name} {`, ...Object.entries(ns.values).map(([v, n]) => `${indent}  ${v} = ${n};`), `${indent}}`];
  }
  if (ns.methods !== undefined) {
    return [`${indent}service ${name} {`, ...Object.entries(ns.methods).map(([m, d]) =>
      `${indent}  rpc ${m}(${d.requestStream ? 'stream ' : ''}${d.requestType}) returns (${d.responseStream ? 'stream ' : ''}${d.responseType})${methodBody(d.options, indent)}`), `${indent}}`];
  }
  const inOneof = new Map<string, string>();
  // proto3 `optional` fields come with a synthetic oneof of their own; they are written as optional.
  const oneofs = Object.entries(ns.oneofs ?? {}).filter(([, { oneof }]) => !oneof.some((m) => ns.fields?.[m]?.options?.proto3_optional === true));
  for (const [oneof, { oneof: members }] of oneofs) for (const m of members) inOneof.set(m, oneof);
  const field = (f: string, d: NonNullable<ProtobufjsNamespace['fields']>[string], inOneofBlock: boolean): string => {
    const type = d.keyType !== undefined ? `map<${d.keyType}, ${d.type}>` : d.type;
    // proto2 fields outside oneofs and maps need a label; proto3 ones only `repeated`.
    const rule = d.rule ?? (proto2 ? 'optional' : undefined);
    const label = inOneofBlock || d.keyType !== undefined || rule === undefined || (!proto2 && rule !== 'repeated') ? '' : `${rule} `;
    const packed = d.options?.packed === undefined ? '' : ` [packed = ${String(d.options.packed)}]`;
    if (d.options?.proto3_optional === true) return `${indent}  optional ${type} ${f} = ${d.id};`;
    return `${indent}  ${label}${type} ${f} = ${d.id}${packed};`;
  };
  const lines = [`${indent}message ${name} {`];
  for (const [f, d] of Object.entries(ns.fields ?? {})) if (!inOneof.has(f)) lines.push(field(f, d, false));
  for (const [oneof, { oneof: members }] of oneofs) {
    lines.push(`${indent}  oneof ${oneof} {`, ...members.map((m) => `  ${field(m, ns.fields![m]!, true)}`), `${indent}  }`);
  }
  for (const [child, nested] of Object.entries(ns.nested ?? {})) lines.push(...declaration(child, nested, indent + '  ', proto2));
  lines.push(`${indent}}`);
  return lines;
}
