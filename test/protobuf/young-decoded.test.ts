// Decoded messages and their lists must be allocated young even in a program that keeps many of
// them. Made by object and array literals, they were not: V8 pretenured the literals' allocation
// sites once a few thousand retained messages survived a scavenge, and from then on every
// message was made in the old generation, where dead ones kept their young values alive through
// scavenges until a mark-compact. Longs deserialize in bench/grpc ran at 28 us a message in some
// processes and 110-140 us in others (the grpc-loader profile and heddle's own codecs alike).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('fixtures/young-decoded.mjs', import.meta.url));

it('messages and lists decoded after thousands were kept are still allocated young', () => {
  // A new space fixed at its maximum size makes V8's pretenuring decision at the first scavenge
  // after the retained messages, instead of whenever new space has grown.
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--min-semi-space-size=1', '--max-semi-space-size=1', fixture],
    { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as Record<string, { message: boolean; list: boolean; kept: number; decoded: number }>;
  expect(Object.keys(report)).toEqual(['grpc-loader Longs', 'default Longs', 'grpc-loader Order', 'default Order']);
  for (const [name, row] of Object.entries(report)) {
    expect({ name, ...row }).toEqual({ name, message: true, list: true, kept: 3000, decoded: name.endsWith('Longs') ? 3000 * 64 : 3000 * 2 });
  }
});
