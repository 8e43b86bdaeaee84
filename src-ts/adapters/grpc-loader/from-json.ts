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
  methods?: Record<string, { requestType: string; responseType: string; requestStream?: boolean; responseStream?: boolean }>;
  options?: Record<string, unknown>;
  edition?: string;
  syntax?: string;
}

/**
 * A root built from a protobufjs JSON namespace: each package becomes a .proto file of its own
 * (importing the others and the well-known types, which are taken from heddle's built-in copies),
 * which heddle's parser then checks and links as it does any .proto file.
 */
export function fromProtobufjsJson(json: ProtobufjsNamespace): Root {
  if (typeof json !== 'object' || json === null) throw new HeddleError('ERR_INVALID_ARGUMENT', 'fromJSON expects a protobufjs JSON namespace');
  const packages = new Map<string, string[]>();
  let proto3 = false;
  const collect = (ns: ProtobufjsNamespace, path: string[]): void => {
    for (const [name, child] of Object.entries(ns.nested ?? {})) {
      if (child.fields !== undefined || child.values !== undefined || child.methods !== undefined) {
        const pkg = path.join('.');
        if (pkg === 'google.protobuf') continue;
        if (child.edition === 'proto3' || child.syntax === 'proto3') proto3 = true;
        const lines = packages.get(pkg) ?? [];
        lines.push(...declaration(name, child, ''));
        packages.set(pkg, lines);
      } else collect(child, [...path, name]);
    }
  };
  collect(json, []);
  const names = [...packages.keys()].map((pkg) => `${pkg === '' ? 'root' : pkg.replace(/\./g, '/')}.proto`);
  const wkt = [...WELL_KNOWN_SOURCES.keys()].filter((f) => f !== 'google/protobuf/descriptor.proto');
  const sources: Record<string, string> = {};
  [...packages].forEach(([pkg, lines], i) => {
    const imports = [...names.filter((_, j) => j !== i), ...wkt].map((f) => `import "${f}";`);
    sources[names[i]!] = [`syntax = "${proto3 ? 'proto3' : 'proto2'}";`, pkg === '' ? '' : `package ${pkg};`, ...imports, ...lines].join('\n');
  });
  const main = [`syntax = "proto3";`, ...names.map((f) => `import "${f}";`)].join('\n');
  return parse(main, { filename: 'from-json.proto', imports: sources });
}

function declaration(name: string, ns: ProtobufjsNamespace, indent: string): string[] {
  if (ns.values !== undefined) {
    return [`${indent}enum ${name} {`, ...Object.entries(ns.values).map(([v, n]) => `${indent}  ${v} = ${n};`), `${indent}}`];
  }
  if (ns.methods !== undefined) {
    return [`${indent}service ${name} {`, ...Object.entries(ns.methods).map(([m, d]) =>
      `${indent}  rpc ${m}(${d.requestStream ? 'stream ' : ''}${d.requestType}) returns (${d.responseStream ? 'stream ' : ''}${d.responseType});`), `${indent}}`];
  }
  const inOneof = new Map<string, string>();
  // proto3 `optional` fields come with a synthetic oneof of their own; they are written as optional.
  const oneofs = Object.entries(ns.oneofs ?? {}).filter(([, { oneof }]) => !oneof.some((m) => ns.fields?.[m]?.options?.proto3_optional === true));
  for (const [oneof, { oneof: members }] of oneofs) for (const m of members) inOneof.set(m, oneof);
  const field = (f: string, d: NonNullable<ProtobufjsNamespace['fields']>[string], rule: boolean): string => {
    const type = d.keyType !== undefined ? `map<${d.keyType}, ${d.type}>` : d.type;
    const label = rule && d.rule !== undefined && d.keyType === undefined ? `${d.rule} ` : '';
    const packed = d.options?.packed === undefined ? '' : ` [packed = ${String(d.options.packed)}]`;
    if (d.options?.proto3_optional === true) return `${indent}  optional ${type} ${f} = ${d.id};`;
    return `${indent}  ${label}${type} ${f} = ${d.id}${packed};`;
  };
  const lines = [`${indent}message ${name} {`];
  for (const [f, d] of Object.entries(ns.fields ?? {})) if (!inOneof.has(f)) lines.push(field(f, d, true));
  for (const [oneof, { oneof: members }] of oneofs) {
    lines.push(`${indent}  oneof ${oneof} {`, ...members.map((m) => `  ${field(m, ns.fields![m]!, false)}`), `${indent}  }`);
  }
  for (const [child, nested] of Object.entries(ns.nested ?? {})) lines.push(...declaration(child, nested, indent + '  '));
  lines.push(`${indent}}`);
  return lines;
}
