import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import { isLoopPolling, keepLoopPolling } from '../../src-ts/rpc/busy-poll.js';
import { createClient, createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the loop stops polling, or fails after `ms`. */
async function untilIdle(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (isLoopPolling()) {
    if (Date.now() > end) throw new Error(`the loop was still polling after ${ms} ms`);
    await sleep(5);
  }
}

describe('keepLoopPolling', () => {
  it('keeps immediates turning for the budget, then stops', async () => {
    await untilIdle(1000);
    let turns = 0;
    const countTurns = () => {
      turns++;
      if (isLoopPolling()) setImmediate(countTurns);
    };
    keepLoopPolling(200_000);
    expect(isLoopPolling()).toBe(true);
    setImmediate(countTurns);
    // Many turns while polling lasts. Counted against the budget rather than a fixed few
    // milliseconds, so a slow (emulated arm64) machine, where a turn can take a millisecond, passes too.
    while (turns <= 20 && isLoopPolling()) await sleep(1);
    expect(turns).toBeGreaterThan(20);
    await untilIdle(1000);
    const settled = turns;
    await sleep(10);
    expect(turns).toBe(settled);
  });

  it('extends to the latest deadline asked for and never shortens it', async () => {
    await untilIdle(1000);
    // A budget far longer than the sleep, so an emulated machine (qemu arm64, where 20 ms of
    // sleep took over 50) still wakes inside it; the 1 µs call must not have cut it short.
    keepLoopPolling(1_000_000);
    keepLoopPolling(1);
    await sleep(20);
    expect(isLoopPolling()).toBe(true);
    await untilIdle(3000);
  });
});

describe('busyPollMicros option', () => {
  it.each([-1, 1.5, 100_001, Number.NaN])('rejects %s', (value) => {
    const make = [
      () => createClient({ idl: echoDoc, service: 'EchoService', address: 'tcp://127.0.0.1:1', busyPollMicros: value }),
      () => createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, busyPollMicros: value }),
    ];
    for (const attempt of make) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HeddleError);
      expect((error as HeddleError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((error as HeddleError).message).toContain('busyPollMicros');
    }
  });
});

describe.each(ioPaths)('busy polling client and server, %s I/O', (io) => {
  let polling: RpcServer;
  let plain: RpcServer;
  beforeAll(async () => {
    polling = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, busyPollMicros: 2000 });
    plain = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io });
    await polling.listen('tcp://127.0.0.1:0');
    await plain.listen('tcp://127.0.0.1:0');
  });
  afterAll(async () => {
    await polling.close();
    await plain.close();
  });

  it('polls while a call waits, answers correctly, and goes idle after the budget', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: plain.address, io, busyPollMicros: 50_000 });
    try {
      await client.call('ping');
      await untilIdle(1000);
      const reply = client.call('echo', { req: { action: 'sleep', msg: '20' } });
      await sleep(5);
      expect(isLoopPolling()).toBe(true);
      expect(await reply).toEqual({ action: 'sleep', msg: '20' });
      await untilIdle(1000);
      const msg = 'y'.repeat(100_000);
      for (let i = 0; i < 20; i++) expect(await client.call('echo', { req: { action: 'echo', msg: `${i}${msg}` } })).toEqual({ action: 'echo', msg: `${i}${msg}` });
    } finally {
      await client.close();
    }
  });

  it('a client without the option leaves the loop asleep', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: plain.address, io });
    try {
      await untilIdle(1000);
      const reply = client.call('echo', { req: { action: 'sleep', msg: '20' } });
      await sleep(5);
      expect(isLoopPolling()).toBe(false);
      await reply;
      expect(isLoopPolling()).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('a busy-polling server keeps polling after its reply, for a client that does not', async () => {
    const server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, busyPollMicros: 50_000 });
    await server.listen('tcp://127.0.0.1:0');
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io });
    try {
      await client.call('ping');
      await untilIdle(1000);
      expect(await client.call('echo', { req: { action: 'echo', msg: 'x' } })).toEqual({ action: 'echo', msg: 'x' });
      // Client and server share this process: only the server's reply could have started polling.
      expect(isLoopPolling()).toBe(true);
      await untilIdle(1000);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a busy-polling server serves many callers at once', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: polling.address, io, multiplexed: true });
    try {
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('echo', { req: { action: 'echo', msg: `m${i}` } })));
      expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => ({ action: 'echo', msg: `m${i}` })));
    } finally {
      await client.close();
    }
  });
});
