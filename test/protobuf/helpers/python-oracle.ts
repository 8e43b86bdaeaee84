import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PYTHON } from '../../helpers/peers.js';

/** One request to Google's Python protobuf (see pb_oracle.py). */
export type OracleCase =
  | { set: Uint8Array; type: string; op: 'parse'; data: Uint8Array }
  | { set: Uint8Array; type: string; op: 'text'; text: string };

/** Python's answer: its deterministic serialization, or the error it raised. */
export type OracleResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** Runs every case in one Python process (Debian's python3 with python3-protobuf). */
export function runPythonOracle(cases: OracleCase[]): OracleResult[] {
  if (cases.length === 0) return [];
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  const request = {
    cases: cases.map((c) => (c.op === 'parse'
      ? { set: b64(c.set), type: c.type, op: c.op, data: b64(c.data) }
      : { set: b64(c.set), type: c.type, op: c.op, text: c.text })),
  };
  const output = execFileSync(PYTHON, [join(__dirname, 'pb_oracle.py')], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const response = JSON.parse(output) as { results: Array<{ ok: boolean; bytes?: string; error?: string }> };
  return response.results.map((r) => (r.ok ? { ok: true, bytes: new Uint8Array(Buffer.from(r.bytes!, 'base64')) } : { ok: false, error: r.error! }));
}
