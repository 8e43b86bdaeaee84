import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOS } from './helpers.js';

// A real NestJS gRPC microservice with protoLoader: 'heddle/grpc-loader', called by a grpc-js
// client on @grpc/proto-loader. NestJS resolves the loader by package name, so the app runs with
// NODE_PATH at a directory where "heddle" is this checkout (built: dist/).
const here = dirname(fileURLToPath(import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

describe('NestJS gRPC microservice on heddle/grpc-loader', () => {
  let app: ChildProcess;
  let port: number;
  let stderr = '';

  beforeAll(async () => {
    const modules = join(mkdtempSync(join(tmpdir(), 'heddle-nest-')), 'node_modules');
    mkdirSync(modules);
    symlinkSync(resolve(here, '../../..'), join(modules, 'heddle'), 'dir');
    port = await freePort();
    app = spawn(process.execPath, [join(here, 'nest', 'greeter-app.mjs'), join(PROTOS, 'helloworld.proto'), String(port)], {
      env: { ...process.env, NODE_PATH: modules },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stderr!.on('data', (d) => { stderr += String(d); });
    await new Promise<void>((res, rej) => {
      app.stdout!.on('data', (d) => { if (String(d).includes('listening')) res(); });
      app.on('exit', (code) => rej(new Error(`NestJS app exited with ${code}: ${stderr}`)));
    });
  });

  afterAll(() => {
    app?.kill();
  });

  it('answers a unary call end to end', async () => {
    const definition = protoLoader.loadSync(join(PROTOS, 'helloworld.proto'), { keepCase: true });
    const { helloworld } = grpc.loadPackageDefinition(definition) as any;
    const client = new helloworld.Greeter(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise((res, rej) => client.SayHello({ name: 'Nest' }, (e: unknown, r: unknown) => (e ? rej(e) : res(r))));
      expect(reply).toEqual({ message: 'Hello Nest' });
    } finally {
      client.close();
    }
  });
});
