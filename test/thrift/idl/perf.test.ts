/**
 * A 5,000-line IDL parses in milliseconds, and the work grows linearly with the input: four times
 * the lines must not take anywhere near sixteen times as long.
 */
import { describe, expect, it } from 'vitest';
import { parseThriftModel } from '../../../src-ts/thrift/idl/index.js';

/** About `lines` lines of realistic IDL: enums, typedefs, consts, structs with defaults, services. */
function generate(lines: number): string {
  const out: string[] = ['namespace go perf', 'namespace * perf', ''];
  for (let n = 0; out.length < lines; n++) {
    out.push(`/** Status ${n}. */`, `enum Status${n} {`, '  UNKNOWN,', '  ACTIVE = 3,', '  RETIRED', '}');
    out.push(`typedef list<Item${n}> Items${n}`, `const i32 LIMIT_${n} = ${n}`, `const list<string> TAGS_${n} = ["a", "b"]`);
    out.push(`struct Item${n} {`);
    for (let f = 1; f <= 12; f++) out.push(`  ${f}: optional ${['i32', 'string', 'double', 'list<i64>', `map<string, Status${n}>`, `Status${n}`][f % 6]} f${f} (tag = "${f}")`);
    out.push(`  13: i32 limit = LIMIT_${n}`, `  14: Status${n} status = Status${n}.ACTIVE`, '}');
    out.push(`exception Failed${n} { 1: string message }`);
    out.push(`service Service${n} {`, `  Items${n} items(1: i32 limit) throws (1: Failed${n} failed)`, `  oneway void ping${n}()`, '}', '');
  }
  return out.join('\n');
}

/**
 * The least CPU time of five runs, in ms. CPU time rather than wall time: the machines this runs
 * on are shared, and waiting for a core is not the parser's work.
 */
function bestCpuMs(source: string): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.cpuUsage();
    parseThriftModel(source, { filename: 'perf.thrift' });
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('thrift parser performance', () => {
  it('parses a 5,000-line IDL in milliseconds, with work linear in its size', () => {
    const idl = generate(5_000);
    expect(idl.split('\n').length).toBeGreaterThanOrEqual(5_000);
    const model = parseThriftModel(idl, { filename: 'perf.thrift' });
    expect(model.structs.size).toBeGreaterThan(150);
    bestCpuMs(idl); // warm up the JIT
    const ms = bestCpuMs(idl);
    // About 7 ms on an idle 2-core machine; the bound leaves room for a busy one.
    expect(ms).toBeLessThan(150);

    // Sixteen times the input: linear work takes ~16x (more with garbage collection), quadratic 256x.
    const small = bestCpuMs(generate(2_500));
    const large = bestCpuMs(generate(40_000));
    expect(large / small, `2.5k lines: ${small.toFixed(1)} ms, 40k lines: ${large.toFixed(1)} ms`).toBeLessThan(64);
  });
});
