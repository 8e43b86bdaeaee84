/**
 * The Apache Thrift compiler is the oracle: for every valid fixture, `thrift -r --gen json` must
 * describe the same IDL as heddle's model (fields with ids, types through typedefs and includes,
 * requiredness and defaults; enums; consts; services with arguments, results, throws, oneway and
 * extends). Needs the system peer 'thrift' (test/helpers/peers.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadThriftModel } from '../../../src-ts/thrift/idl/index.js';
import { normalizeCompilerJson, renderFile } from './compiler-json.js';
import { describeWithPeers } from '../../helpers/peers.js';

const fixtures = join(__dirname, 'fixtures');
const validDir = join(fixtures, 'valid');
const includeDirs = [join(validDir, 'libdir')];

function thriftFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? thriftFiles(join(dir, d.name)) : d.name.endsWith('.thrift') ? [join(dir, d.name)] : [],
  );
}

const out = mkdtempSync(join(tmpdir(), 'heddle-thrift-oracle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the compiler; returns its JSON for each file (by program name), or its complaint. */
function compile(file: string): { ok: true; json: Map<string, unknown> } | { ok: false; stderr: string } {
  const dir = mkdtempSync(join(out, 'run-'));
  const args = ['-r', '--gen', 'json', '-out', dir, ...includeDirs.flatMap((d) => ['-I', d]), file];
  const run = spawnSync('thrift', args, { encoding: 'utf8' });
  if (run.status !== 0) return { ok: false, stderr: `${run.stdout}${run.stderr}` };
  const json = new Map<string, unknown>();
  for (const name of readdirSync(dir)) json.set(name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, name), 'utf8')));
  return { ok: true, json };
}

describeWithPeers(['thrift'], 'thrift compiler oracle', () => {
  const roots = thriftFiles(validDir);

  it('has fixtures that cover every kind of definition', () => {
    expect(roots.length).toBeGreaterThanOrEqual(7);
  });

  for (const root of roots) {
    it(`agrees with thrift --gen json on ${relative(fixtures, root)} and its includes`, () => {
      const result = compile(root);
      if (!result.ok) throw new Error(`the compiler refused a valid fixture:\n${result.stderr}`);
      const model = loadThriftModel(root, { includeDirs });
      expect(model.files.map((f) => f.prefix).sort()).toEqual([...result.json.keys()].sort());
      for (const file of model.files) {
        const expected = normalizeCompilerJson(result.json.get(file.prefix) as never) as Record<string, unknown>;
        // The compiler sometimes also makes a definition's doc the file doc (a parser lookahead
        // artefact); heddle gives a file doc only to a first doc comment no definition took.
        if (file.doc === undefined) delete expected.doc;
        expect(renderFile(model, file), `${file.filename} differs from ${file.prefix}.json`).toEqual(expected);
      }
    });
  }
});
