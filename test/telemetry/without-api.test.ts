// Without @opentelemetry/api installed, heddle loads nothing of OpenTelemetry, calls work, and
// asking for telemetry explicitly says what to install. The package is made unresolvable in a
// child process running the built package, as if the application never installed it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@opentelemetry/')) throw Object.assign(new Error('Cannot find module ' + request), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
const { rpc, thrift } = require(${JSON.stringify(root)});
(async () => {
  const doc = thrift.parse('namespace go x\\nservice S { string echo(1: string msg) }');
  const server = rpc.createServer({ idl: doc, service: 'S', handlers: { echo: async ({ msg }) => msg } });
  await server.listen('tcp://127.0.0.1:0');
  const client = rpc.createClient({ idl: doc, service: 'S', address: server.address });
  const reply = await client.call('echo', { msg: 'plain' });
  let explicit;
  try { rpc.createClient({ idl: doc, service: 'S', address: server.address, telemetry: true }); } catch (e) { explicit = e.code + ': ' + e.message; }
  const loaded = Object.keys(require.cache).filter((k) => k.includes('opentelemetry'));
  await client.close();
  await server.close();
  console.log(JSON.stringify({ reply, explicit, loaded }));
})();
`;

it('without @opentelemetry/api nothing of it loads, calls work, and telemetry: true names the package to install', () => {
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({
    reply: 'plain',
    explicit: 'ERR_INVALID_ARGUMENT: telemetry needs the optional peer dependency @opentelemetry/api: npm install @opentelemetry/api',
    loaded: [],
  });
});

it('with @opentelemetry/api installed, requiring heddle loads none of it until a client or server is made', () => {
  const probe = `
    const heddle = require(${JSON.stringify(root)});
    const loaded = () => Object.keys(require.cache).filter((k) => k.includes('@opentelemetry')).length > 0;
    const before = loaded();
    const doc = heddle.thrift.parse('service S { string echo(1: string msg) }');
    heddle.rpc.createClient({ idl: doc, service: 'S', address: 'tcp://127.0.0.1:1' });
    console.log(JSON.stringify({ before, after: loaded() }));
  `;
  const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
});
