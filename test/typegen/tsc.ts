/**
 * Type-checks generated declarations and programs that use them with the project's TypeScript
 * compiler (strict), against heddle's built declarations (dist/), in one `tsc` run per call.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');

/** The module specifier programs import heddle by: the built declarations. */
export const HEDDLE = join(repo, 'dist/index.js');

/** One diagnostic: the file (its name as given), the line and the TS error code. */
export interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** Writes `files` (name → source) to a fresh directory, type-checks them together, and returns the errors. */
export function typeCheck(files: Record<string, string>): Diagnostic[] {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-types-'));
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        typeRoots: [join(repo, 'node_modules/@types')],
      },
      files: Object.keys(files).filter((n) => n.endsWith('.ts')),
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', timeout: 120_000 });
    if (run.error) throw run.error;
    const diagnostics: Diagnostic[] = [];
    for (const m of run.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
      diagnostics.push({ file: m[1]!.slice(m[1]!.lastIndexOf('/') + 1), line: Number(m[2]), code: m[3]!, message: m[4]! });
    }
    if (diagnostics.length === 0 && run.status !== 0) throw new Error(`tsc failed without diagnostics:\n${run.stdout}${run.stderr}`);
    return diagnostics;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
