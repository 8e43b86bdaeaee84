// Generated types put to work: a program using them compiles, and programs with a wrong method,
// a wrong field, a wrong value type, a missing required field or a wrong handler result do not,
// each failing with the TypeScript error that names the mistake.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as protobuf from '../../src-ts/protobuf/index.js';
import * as thrift from '../../src-ts/thrift/index.js';
import { protobufTypes } from '../../src-ts/typegen/protobuf-types.js';
import { thriftTypes } from '../../src-ts/typegen/thrift-types.js';
import { HEDDLE, typeCheck } from './tsc.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const thriftDecl = thriftTypes(thrift.load(fixture('shapes.thrift')));
const protoDecl = protobufTypes(protobuf.load(fixture('shapes.proto')));

const prelude = `import { discovery, protobuf, rpc, thrift } from ${JSON.stringify(HEDDLE)};
import { Color, type Everything, type Millis, type Point, type Shape, type Shapes } from './shapes-thrift.js';
import type * as pb from './shapes-proto.js';
const doc = thrift.load('shapes.thrift');
const root = protobuf.load('shapes.proto');
const address = 'tcp://127.0.0.1:1';
const client = rpc.createClient<Shapes>({ idl: doc, service: 'Shapes', address });
export {};
`;

const correct = `${prelude}
async function main(): Promise<void> {
  const e: Everything = await client.call('get', { id: 1n, color: Color.BLUE });
  const v: string = await client.call('version');
  const s: Shape = await client.call('draw', { shape: { polygon: [{ x: 1, y: 2 }] } });
  const nothing: undefined = await client.call('forget', { id: 3n });
  const found = rpc.createClient<Shapes>({ idl: doc, service: 'Shapes', resolver: discovery.static([]), destService: 'shapes' });
  const viaDiscovery: Everything = await found.call('get', { id: 2n });
  const at: Millis | undefined = viaDiscovery.at;
  rpc.createServer<Shapes>({
    idl: doc,
    service: 'Shapes',
    handlers: {
      get: async ({ id }) => ({ flag: true, tiny: 1, small: 2, medium: 3, large: id, ratio: 0.5, text: 't', data: new Uint8Array(1), totals: new Map([['a', 1n]]) }),
      version: () => '1.0',
      draw: ({ shape }) => shape ?? { named: 'none' },
    },
  });
  const codec = doc.codec<Point>('Point');
  const p: Point = codec.decode(codec.encode({ x: 1, y: 2, label: 'origin' }));

  const grpc = rpc.createClient<pb.Shapes>({ idl: root, service: 'shapes.v1.Shapes', address, transport: 'grpc' });
  const got: pb.Everything = await grpc.call('Get', { x: 1, y: 2 });
  const recorded: pb.Everything = await grpc.call('Record', [{ x: 1, y: 2 }]);
  for await (const m of grpc.call('Watch', { x: 0, y: 0 })) {
    const n: bigint = m.i64;
    const choice: string | Point | bigint | undefined = m.name ?? m.at ?? m.number;
  }
  rpc.createServer<pb.Shapes>({
    idl: root,
    service: 'shapes.v1.Shapes',
    handlers: {
      Chat: async function* (points) { for await (const point of points) yield point; },
      Watch: async function* (point) { yield { ...empty(), i64: BigInt(point.x) }; },
    },
  });
  const message = root.codec<pb.Everything>('shapes.v1.Everything');
  const decoded: pb.Everything = message.decode(message.encode({ ...empty(), name: 'n' }));

  // Untyped use keeps working: any method, any request, unknown result.
  const untyped = rpc.createClient({ idl: doc, service: 'Shapes', address });
  const anything: unknown = await untyped.call('whatever', { a: 1 });
  rpc.createServer({ idl: doc, service: 'Shapes', handlers: { whatever: async (args: { a: number }) => args.a } });
  void [e, v, s, nothing, at, p, got, recorded, decoded, anything];
}
// Every always-present field at its zero value, and no oneof member.
function empty() {
  return { flag: false, i32: 0, i64: 0n, u32: 0, u64: 0n, s64: 0n, f64: 0n, ratio: 0, precise: 0, text: '', data: new Uint8Array(0), color: 0, path: [], samples: [], ids: [], totals: {}, byIndex: {}, colors: [] as pb.Color[] };
}
void main;
`;

/** Each wrong program: its one mistake and the error code tsc must report for it. */
const wrong: Record<string, { body: string; code: string; message: RegExp }> = {
  'wrong-method.ts': { body: `void client.call('fetch', { id: 1n });`, code: 'TS2345', message: /"fetch"' is not assignable to parameter of type '"version" \| "get" \| "draw" \| "forget"'|"fetch"/ },
  'wrong-field.ts': { body: `void client.call('get', { id: 1n, shade: 2 });`, code: 'TS2353', message: /'shade' does not exist/ },
  'wrong-value-type.ts': { body: `void client.call('get', { id: 1 });`, code: 'TS2322', message: /'number' is not assignable to type 'bigint'/ },
  'missing-required.ts': { body: `const p: Point = { x: 1 };\nvoid p;`, code: 'TS2741', message: /Property 'y' is missing/ },
  'wrong-result.ts': { body: `async function f() { const r: string = await client.call('get', { id: 1n }); return r; }\nvoid f;`, code: 'TS2322', message: /'Everything' is not assignable to type 'string'/ },
  'wrong-handler.ts': {
    body: `rpc.createServer<Shapes>({ idl: doc, service: 'Shapes', handlers: { version: () => 7 } });`,
    code: 'TS2322',
    message: /'\(\) => number' is not assignable to type '\(request: \{\}, ctx: RpcContext\) => string \| Promise<string>'/,
  },
  'two-union-members.ts': { body: `const s: Shape = { named: 'a', point: { x: 1, y: 2 } };\nvoid s;`, code: 'TS2322', message: /not assignable to type 'Shape'/ },
};

describe('generated types with rpc.createClient<S>(), rpc.createServer<S>() and codec<T>()', () => {
  it('compile a correct program and reject each kind of mistake with its TypeScript error', () => {
    const files: Record<string, string> = {
      'shapes-thrift.ts': thriftDecl,
      'shapes-proto.ts': protoDecl,
      'correct.ts': correct,
      ...Object.fromEntries(Object.entries(wrong).map(([name, { body }]) => [name, `${prelude}\n${body}\n`])),
    };
    const diagnostics = typeCheck(files);
    const byFile = (name: string) => diagnostics.filter((d) => d.file === name);
    expect(byFile('shapes-thrift.ts')).toEqual([]);
    expect(byFile('shapes-proto.ts')).toEqual([]);
    expect(byFile('correct.ts')).toEqual([]);
    const preludeLines = prelude.split('\n').length;
    for (const [name, { code, message }] of Object.entries(wrong)) {
      const found = byFile(name);
      expect(found.map((d) => d.code), name).toEqual([code]);
      expect(found[0]!.message, name).toMatch(message);
      // The error is on the mistake, not in the shared prelude.
      expect(found[0]!.line, name).toBeGreaterThanOrEqual(preludeLines);
    }
  }, 120_000);
});

describe("the generators take the codecs' options", () => {
  it("refuse a value the codec would refuse, with the codec's own error", () => {
    const doc = thrift.load(fixture('shapes.thrift'));
    const root = protobuf.load(fixture('shapes.proto'));
    expect(() => thriftTypes(doc, { i64: 'long' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/option i64 must be one of/) }));
    expect(() => thriftTypes(doc, { map: 'dict' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => thriftTypes(doc, { i64: 'node-int64' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => protobufTypes(root, { int64: 'long' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
