/**
 * Apache Thrift's Python library as a peer (the system peers 'thrift' and 'python3-thrift'): code
 * generated with `thrift --gen py` into a temp dir, every case of a test file answered by one
 * Python process (python-driver.py).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from '../../helpers/peers.js';
const DRIVER = fileURLToPath(new URL('python-driver.py', import.meta.url));

/** One request to the driver. */
export type PythonCase =
  | { id: number; op: 'roundtrip'; struct: string; protocol: 'binary' | 'compact'; hex: string }
  | { id: number; op: 'encode'; struct: string; protocol: 'binary' | 'compact'; value: unknown };

/** The driver's answer: the bytes it wrote, or the error it hit. */
export interface PythonAnswer {
  id: number;
  hex?: string;
  error?: string;
}

/** Generates Python code for `idl` (file `<module>.thrift`) and runs every case in one process. */
export function runPythonPeer(idl: string, module: string, cases: PythonCase[]): Map<number, PythonAnswer> {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-py-'));
  try {
    const file = join(dir, `${module}.thrift`);
    writeFileSync(file, idl);
    execFileSync('thrift', ['--gen', 'py', '-out', dir, file]);
    const input = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const run = spawnSync(PYTHON, [DRIVER, dir, `${module}.ttypes`], { input, maxBuffer: 1 << 28, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`python driver failed: ${run.stderr}`);
    const answers = new Map<number, PythonAnswer>();
    for (const line of run.stdout.split('\n')) {
      if (line === '') continue;
      const answer = JSON.parse(line) as PythonAnswer;
      answers.set(answer.id, answer);
    }
    return answers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
