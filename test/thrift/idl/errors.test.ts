/**
 * Invalid IDL: each file directly under fixtures/invalid/ starts with a line
 *   # expect: CODE [FILE:]LINE:COLUMN message
 * naming the error heddle must throw (code, position, and a part of the message). The `thrift`
 * compiler (the system peer 'thrift', test/helpers/peers.ts) must refuse every one of them too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeddleError } from '../../../src-ts/errors.js';
import { loadThriftModel } from '../../../src-ts/thrift/idl/index.js';
import { describeWithPeers } from '../../helpers/peers.js';

const invalidDir = join(__dirname, 'fixtures', 'invalid');
const out = mkdtempSync(join(tmpdir(), 'heddle-thrift-invalid-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Expectation {
  code: string;
  file?: string;
  line: number;
  column: number;
  message: string;
}

function expectation(path: string): Expectation {
  const first = readFileSync(path, 'utf8').split('\n', 1)[0]!;
  const m = /^# expect: (ERR_[A-Z_]+) (?:(\S+):)?(\d+):(\d+) (.+)$/.exec(first);
  if (m === null) throw new Error(`${path}: the first line must be "# expect: CODE [FILE:]LINE:COLUMN message"`);
  const e: Expectation = { code: m[1]!, line: Number(m[3]), column: Number(m[4]), message: m[5]! };
  if (m[2] !== undefined) e.file = m[2];
  return e;
}

const cases = readdirSync(invalidDir).filter((n) => n.endsWith('.thrift')).sort();

describe('invalid Thrift IDL', () => {
  it('has a broad set of invalid fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of cases) {
    const path = join(invalidDir, name);
    const expected = expectation(path);

    it(`${name}: heddle refuses it with ${expected.code} at ${expected.line}:${expected.column}`, () => {
      let error: unknown;
      try {
        loadThriftModel(join('test/thrift/idl/fixtures/invalid', name));
      } catch (e) {
        error = e;
      }
      expect(error, 'heddle accepted an invalid file').toBeInstanceOf(HeddleError);
      const e = error as HeddleError;
      expect(e.code).toBe(expected.code);
      expect(e.message).toContain(expected.message);
      expect(e.file).toBe(join('test/thrift/idl/fixtures/invalid', expected.file ?? name));
      expect([e.line, e.column]).toEqual([expected.line, expected.column]);
      // The position is also in the message, for people reading logs.
      expect(e.message).toContain(`:${expected.line}:${expected.column})`);
    });
  }
});

describeWithPeers(['thrift'], 'invalid Thrift IDL, the thrift compiler', () => {
  for (const name of cases) {
    it(`refuses ${name} too`, () => {
      const dir = mkdtempSync(join(out, 'run-'));
      // The 0.17 compiler overflows its stack on include cycles and never returns from an
      // unterminated comment; a signal or the time limit counts as a refusal.
      const run = spawnSync('thrift', ['-r', '--gen', 'json', '-out', dir, join(invalidDir, name)], { encoding: 'utf8', timeout: 5000, killSignal: 'SIGKILL' });
      expect(run.status, `thrift accepted ${name}:\n${run.stderr}`).not.toBe(0);
    });
  }
});
