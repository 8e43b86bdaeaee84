import { Writable } from 'node:stream';
import net from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, HeddleError, log, rpc } from '../../src-ts/index.js';
import { echoDoc, echoHandlers } from '../rpc/echo-fixture.js';
import { recordingLogger } from './recording-logger.js';

afterEach(() => log.setLogger(undefined));

describe('setLogger', () => {
  it('drops entries below warn by default and passes code and peer', () => {
    const logger = recordingLogger();
    log.setLogger(logger, { rateLimitMs: 0 });
    log.logDebug('ERR_X', 'debug detail');
    log.logInfo('ERR_X', 'info detail');
    log.logWarn(ErrorCode.ERR_BAD_FRAME, 'bad magic', '127.0.0.1:5000');
    log.logError(ErrorCode.ERR_BAD_VALUE, 'echo failed: no encode', '127.0.0.1:5001', { method: 'echo' });
    log.logError(ErrorCode.ERR_REMOTE, 'echo failed: plain');
    expect(logger.lines).toEqual([
      ['warn', { code: 'ERR_BAD_FRAME', peer: '127.0.0.1:5000' }, 'bad magic'],
      ['error', { code: 'ERR_BAD_VALUE', peer: '127.0.0.1:5001', method: 'echo' }, 'echo failed: no encode'],
      ['error', { code: 'ERR_REMOTE' }, 'echo failed: plain'],
    ]);
  });

  it('passes info and debug when the level asks for them', () => {
    const logger = recordingLogger();
    log.setLogger(logger, { level: 'debug' });
    log.logInfo('ERR_X', 'info detail', 'p:1');
    log.logDebug('ERR_Y', 'debug detail');
    expect(logger.lines).toEqual([
      ['info', { code: 'ERR_X', peer: 'p:1' }, 'info detail'],
      ['debug', { code: 'ERR_Y' }, 'debug detail'],
    ]);
    expect(log.enabled('debug')).toBe(true);
    log.setLogger(logger, { level: 'silent' });
    log.logError('ERR_Z', 'dropped');
    expect(logger.lines).toHaveLength(2);
  });

  it('rejects what is not a logger or a level, naming the option', () => {
    expect(() => log.setLogger({ warn() {} } as never)).toThrow(/setLogger: logger must have error, warn, info and debug methods/);
    expect(() => log.setLogger(recordingLogger(), { level: 'loud' as never })).toThrow(/setLogger: options.level must be one of/);
    expect(() => log.setLogger(recordingLogger(), { rateLimitMs: -1 })).toThrow(/rateLimitMs/);
  });

  it('takes a pino instance: entries become pino JSON lines with code, peer and msg', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    log.setLogger(pino({ level: 'info' }, sink));
    log.logWarn(ErrorCode.ERR_BAD_FRAME, 'not a Kitex frame', '10.1.2.3:4444');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, code: 'ERR_BAD_FRAME', peer: '10.1.2.3:4444', msg: 'not a Kitex frame' });
  });
});

describe('a server logging through setLogger', () => {
  it('logs a failed handler as an error with its HeddleError code (or HANDLER_ERROR) and the caller', async () => {
    const logger = recordingLogger();
    log.setLogger(logger, { rateLimitMs: 0 });
    const server = rpc.createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: { echo: async ({ req }: { req: { action: string } }) => {
        if (req.action === 'heddle') throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'no such item');
        throw new Error('database down');
      } },
    });
    await server.listen('tcp://127.0.0.1:0');
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    try {
      await client.call('echo', { req: { action: 'heddle', msg: '' } }).catch(() => undefined);
      await client.call('echo', { req: { action: 'plain', msg: '' } }).catch(() => undefined);
      expect(logger.lines.map(([level, fields, message]) => [level, fields['code'], typeof fields['peer'], message])).toEqual([
        ['error', 'ERR_BAD_VALUE', 'string', 'echo failed: no such item'],
        ['error', 'HANDLER_ERROR', 'string', 'echo failed: database down'],
      ]);
      expect(logger.lines[0]![1]['peer']).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('a server under 2,000 hostile connections', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('logs one line and one summary with the count, not 2,000 lines', async () => {
    const logger = recordingLogger();
    log.setLogger(logger);
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io: 'net' });
    await server.listen('tcp://127.0.0.1:0');
    const port = Number(/:(\d+)$/.exec(server.address)![1]);
    const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2));
    try {
      const hostile = 2000;
      for (let sent = 0; sent < hostile; sent += 100) {
        await Promise.all(Array.from({ length: Math.min(100, hostile - sent) }, () => new Promise<void>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.end(garbage));
          socket.on('close', () => resolve());
          socket.on('error', () => resolve());
          socket.resume();
        })));
      }
      // Every connection was closed by the server, and only the first became a line.
      const warnings = logger.lines.filter((l) => l[1]['code'] === ErrorCode.ERR_BAD_FRAME);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]![1]['peer']).toMatch(/^127\.0\.0\.1:\d+$/);
      vi.advanceTimersByTime(10_000);
      expect(logger.lines.filter((l) => l[1]['code'] === ErrorCode.ERR_BAD_FRAME).map((l) => l[2])).toEqual([warnings[0]![2], 'ERR_BAD_FRAME x1999 in the last 10 s']);
      expect(logger.lines).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 60_000);
});
