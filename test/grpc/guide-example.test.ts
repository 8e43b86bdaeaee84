// docs/protobuf-rpc.md's gRPC example must stay runnable: run it as a user would, against the
// built package, and check what it prints.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('the gRPC guide example runs and prints what its comments say', () => {
  const guide = readFileSync(join(root, 'docs', 'protobuf-rpc.md'), 'utf8');
  const section = guide.slice(guide.indexOf('\n# gRPC'));
  const code = /```js\n([^]*?)```/.exec(section)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'heddle-grpc-guide-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'heddle'));
  writeFileSync(join(dir, 'chat.mjs'), code);
  const run = spawnSync(process.execPath, [join(dir, 'chat.mjs')], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  expect(run.stdout.split('\n')).toEqual([
    "{ text: 'hello (from ada)', seq: 1 }",
    '1 again',
    '2 again',
    '3 again',
    "{ count: 2, joined: 'one two' }",
    'HI',
    'BYE',
    'ERR_REMOTE 3 empty note',
    'ERR_CANCELLED 1',
    '',
  ]);
});
