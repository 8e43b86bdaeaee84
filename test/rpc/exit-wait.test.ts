import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import type { Registry, RegistryInfo } from '../../src-ts/discovery/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

/** A registry that keeps what is registered in memory and says when each step happened. */
function recordingRegistry() {
  const events: string[] = [];
  const registry: Registry = {
    register: async (info: RegistryInfo) => void events.push(`register ${info.address}`),
    deregister: async (info: RegistryInfo) => void events.push(`deregister ${info.address}`),
  };
  return { registry, events };
}

const echo = { req: { action: 'echo', msg: 'hi' } };

async function accepts(address: string): Promise<boolean> {
  const { port } = new URL(address.replace('tcp://', 'http://'));
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('server exit wait', () => {
  it('deregisters first, keeps accepting and serving for the exit wait with every reply telling the caller to drop the connection, then stops', async () => {
    const { registry, events } = recordingRegistry();
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry, serviceName: 'echo', exitWaitMs: 800 });
    await server.listen('tcp://127.0.0.1:0');
    const address = server.address.slice('tcp://'.length);
    expect(events).toEqual([`register ${address}`]);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, maxConnections: 1 });
    try {
      expect(await client.call('echo', echo)).toEqual(echo.req);
      const started = Date.now();
      const closing = server.close();
      expect(server.close()).toBe(closing);
      await new Promise((r) => setTimeout(r, 50));
      expect(events).toEqual([`register ${address}`, `deregister ${address}`]);
      // Still serving: each reply carries crrst, which retires the connection it came on.
      for (let i = 0; i < 3; i++) {
        let crrst: string | undefined;
        expect(await client.call('echo', echo, { onContext: (ctx) => (crrst = ctx.responseMetainfo.strInfo.get('crrst')) })).toEqual(echo.req);
        expect(crrst).toBe('1');
      }
      expect(await accepts(server.address)).toBe(true);
      await closing;
      expect(Date.now() - started).toBeGreaterThanOrEqual(800);
      expect(await accepts(server.address)).toBe(false);
      const error = (await client.call('echo', echo).catch((e: unknown) => e)) as HeddleError;
      expect(error.code).toBe(ErrorCode.ERR_CONNECTION);
    } finally {
      await client.close();
    }
  });

  it('waits 5 s by default only when registered; close({ exitWaitMs }) overrides it; bad values are refused', async () => {
    const plain = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers });
    await plain.listen('tcp://127.0.0.1:0');
    let started = Date.now();
    await plain.close();
    expect(Date.now() - started).toBeLessThan(2000);

    const registered = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry: recordingRegistry().registry, serviceName: 'echo' });
    await registered.listen('tcp://127.0.0.1:0');
    started = Date.now();
    await registered.close({ exitWaitMs: 0 });
    expect(Date.now() - started).toBeLessThan(2000);

    expect(() => rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, exitWaitMs: -1 })).toThrow(
      'exitWaitMs must be a non-negative integer of milliseconds, got -1',
    );
    const other = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers });
    await other.listen('tcp://127.0.0.1:0');
    await expect(other.close({ exitWaitMs: 1.5 })).rejects.toThrow('close: exitWaitMs must be a non-negative integer of milliseconds, got 1.5');
    // A refused close leaves the server open, and a good one still closes it.
    expect(await accepts(other.address)).toBe(true);
    await other.close();
    expect(await accepts(other.address)).toBe(false);
  });
});
