// `heddle types` as a user runs it: the built command writes declarations to stdout or --out,
// in the mapping the flags ask for, and refuses bad flags with exit status 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/heddle.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../typegen/fixtures/${name}`, import.meta.url));

function types(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, 'types', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('heddle types', () => {
  it('prints Thrift declarations in the default mapping', () => {
    const run = types(fixture('shapes.thrift'));
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('export interface Everything {\n  flag: boolean;\n  tiny: number;\n  small: number;\n  medium: number;\n  large: bigint;\n');
    expect(run.out).toContain('  totals?: Map<string, bigint>;\n');
    expect(run.out).toContain("  get: { request: { id: bigint; color?: Color }; response: Everything; streaming: 'unary'; oneway: false; throws: NotFound };\n");
    expect(run.out).toContain('export interface Shapes extends Base {');
    expect(run.out).toContain('export const LIMITS: Map<string, bigint> = new Map<string, bigint>([["a", 9007199254740993n]]);');
  });

  it('follows --i64, --map, --set and --typed-arrays, and writes --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-types-cli-'));
    try {
      const out = join(dir, 'shapes.ts');
      const run = types(fixture('shapes.thrift'), '--i64', 'string', '--map', 'object', '--set', 'set', '--typed-arrays', '--out', out);
      expect([run.code, run.out, run.err]).toEqual([0, '', '']);
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('  large: string;\n');
      expect(text).toContain('  totals?: Record<string, string>;\n');
      expect(text).toContain('  tags?: Set<string>;\n');
      expect(text).toContain('  samples?: Float64Array;\n');
      // list<i64> stays an array of strings: BigInt64Array only holds bigints.
      expect(text).toContain('  ids?: Array<string>;\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints Protobuf declarations with --keep-case and streaming kinds', () => {
    const run = types(fixture('shapes.proto'), '--keep-case');
    expect(run.code).toBe(0);
    expect(run.out).toContain('  by_index: Record<string, Point>;\n');
    expect(run.out).toContain("  Chat: { request: Point; response: Point; streaming: 'bidi'; oneway: false; throws: never };\n");
    expect(run.out).toContain('export interface Timestamp {\n  seconds: bigint;\n  nanos: number;\n}');
  });

  it('writes a declaration two files share once, and refuses two different ones of one name', () => {
    const run = types(fixture('orders.thrift'), fixture('billing.thrift'));
    expect(run.code).toBe(0);
    expect(run.out.match(/export interface money_Money \{/g)).toHaveLength(1);
    expect(run.out).toContain('export interface Order {\n  total: money_Money;\n}');
    expect(run.out).toContain('export interface Invoice {\n  due: money_Money;\n}');
    const clash = types(fixture('shapes.thrift'), fixture('shapes.proto'));
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/shapes\.proto and .*shapes\.thrift both declare 'Color', differently: generate them into separate --out files/);
  });

  it('exits 2 on a bad flag or no file, 1 on an IDL that does not load', () => {
    expect(types(fixture('shapes.thrift'), '--i64', 'long')).toMatchObject({ code: 2, err: expect.stringMatching(/--i64 must be one of bigint, string, number; got 'long'/) });
    expect(types()).toMatchObject({ code: 2, err: expect.stringMatching(/expected at least one IDL file/) });
    expect(types('/nonexistent.thrift')).toMatchObject({ code: 1, err: expect.stringMatching(/^heddle types: ERR_/) });
  });
});
