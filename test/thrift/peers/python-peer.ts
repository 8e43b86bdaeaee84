/**
 * Apache Thrift's Python library as a peer: code generated with `thrift --gen py` into a temp
 * dir, every case of a test file answered by one Python process (python-driver.py).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
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

/** Why the peer cannot run here, or undefined when it can. */
export function pythonPeerMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import thrift.protocol.TCompactProtocol']);
  if (probe.status !== 0) return 'python3-thrift is not installed';
  const compiler = spawnSync('thrift', ['--version']);
  if (compiler.status !== 0) return 'the thrift compiler is not on PATH';
  return undefined;
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
