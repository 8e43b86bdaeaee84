import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { native, nativeAddon } from '../../src-ts/native.js';

const disabled = process.env.HEDDLE_NO_NATIVE === '1';
const root = new URL('../..', import.meta.url).pathname;

function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' }).trim();
}

describe('native loader', () => {
  it.runIf(disabled)('HEDDLE_NO_NATIVE=1 forces the TypeScript paths and says so', () => {
    expect(native.loaded).toBe(false);
    expect(native.features).toEqual([]);
    expect(native.reason).toBe('disabled by HEDDLE_NO_NATIVE=1');
    expect(nativeAddon).toBeUndefined();
  });

  it.runIf(!disabled)('loads the addon and reports the CPU features it detects', () => {
    // CI sets HEDDLE_EXPECT_NATIVE=1 in native mode, so a silently missing addon fails there.
    if (process.env.HEDDLE_EXPECT_NATIVE === '1') expect(native.loaded, native.reason).toBe(true);
    if (!native.loaded) return;
    // The sanitizer run (npm run test:asan) points HEDDLE_ADDON_PATH at its instrumented build.
    if (process.env.HEDDLE_ADDON_PATH) expect(native.path).toBe(process.env.HEDDLE_ADDON_PATH);
    const known = ['sse4.2', 'avx2', 'avx512bw', 'avx512vbmi2', 'bmi2', 'neon'];
    for (const f of native.features) expect(known).toContain(f);
    if (process.arch === 'x64') {
      const cpuinfo = runNode(['-e', "process.stdout.write(require('fs').readFileSync('/proc/cpuinfo','utf8'))"]);
      const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
      expect(native.features.includes('sse4.2')).toBe(flags.has('sse4_2'));
      expect(native.features.includes('avx2')).toBe(flags.has('avx2'));
      expect(native.features.includes('avx512bw')).toBe(flags.has('avx512bw'));
      const vbmi2 = ['avx512bw', 'avx512vl', 'avx512cd', 'avx512vbmi', 'avx512_vbmi2'].every((flag) => flags.has(flag));
      expect(native.features.includes('avx512vbmi2')).toBe(vbmi2);
      // bmi2 is left out where pdep is microcoded (AMD before Zen 3), so only one direction holds.
      if (native.features.includes('bmi2')) expect(flags.has('bmi2')).toBe(true);
    }
  });

  it('works through require and through import of the package name', () => {
    const viaRequire = runNode(['-e', "const h=require('heddle'); console.log(JSON.stringify([h.native.loaded, h.native.features]))"]);
    const viaImport = runNode([
      '--input-type=module',
      '-e',
      "import { native, HeddleError } from 'heddle'; import cjs from 'heddle'; console.log(JSON.stringify([native.loaded, native.features, cjs.HeddleError === HeddleError]))",
    ]);
    const [loadedR, featuresR] = JSON.parse(viaRequire) as [boolean, string[]];
    const [loadedI, featuresI, sameClass] = JSON.parse(viaImport) as [boolean, string[], boolean];
    expect(loadedR).toBe(native.loaded);
    expect(featuresR).toEqual([...native.features]);
    expect([loadedI, featuresI, sameClass]).toEqual([loadedR, featuresR, true]);
  });

  it('reports why when the addon cannot load, and the rest of heddle still works', () => {
    const out = runNode(
      ['-e', "const h=require('heddle'); console.log(JSON.stringify([h.native.loaded, h.native.reason, new h.HeddleError('ERR_TRUNCATED','x').code]))"],
      { ...process.env, HEDDLE_NO_NATIVE: '', HEDDLE_ADDON_PATH: '/nonexistent/heddle.node' },
    );
    const [loaded, reason, code] = JSON.parse(out) as [boolean, string, string];
    expect(loaded).toBe(false);
    expect(reason).toMatch(/Cannot find module '\/nonexistent\/heddle.node'/);
    expect(code).toBe('ERR_TRUNCATED');
  });
});
