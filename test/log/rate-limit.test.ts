import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../src-ts/log/index.js';
import { recordingLogger } from './recording-logger.js';

describe('RateLimiter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('logs the first entry of a code, counts the rest, and summarises them when the interval ends', () => {
    const logger = recordingLogger();
    const limiter = new RateLimiter(10_000, () => logger);
    for (let i = 0; i < 2000; i++) limiter.log('warn', { code: 'ERR_BAD_FRAME', peer: `10.0.0.1:${i}` }, `bad frame ${i}`);
    expect(logger.lines).toEqual([['warn', { code: 'ERR_BAD_FRAME', peer: '10.0.0.1:0' }, 'bad frame 0']]);
    vi.advanceTimersByTime(9_999);
    expect(logger.lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(logger.lines[1]).toEqual(['warn', { code: 'ERR_BAD_FRAME', suppressed: 1999, intervalMs: 10_000 }, 'ERR_BAD_FRAME x1999 in the last 10 s']);
  });

  it('keeps limiting a sustained flood: one summary per interval, then a quiet code logs at once again', () => {
    const logger = recordingLogger();
    const limiter = new RateLimiter(1000, () => logger);
    limiter.log('warn', { code: 'ERR_TIMEOUT' }, 'first');
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 10; i++) limiter.log('warn', { code: 'ERR_TIMEOUT' }, 'again');
      vi.advanceTimersByTime(1000);
    }
    expect(logger.lines.map((l) => l[2])).toEqual(['first', 'ERR_TIMEOUT x10 in the last 1 s', 'ERR_TIMEOUT x10 in the last 1 s', 'ERR_TIMEOUT x10 in the last 1 s']);
    vi.advanceTimersByTime(1000); // an interval with nothing closes the window silently
    limiter.log('warn', { code: 'ERR_TIMEOUT' }, 'after the quiet');
    expect(logger.lines.at(-1)![2]).toBe('after the quiet');
    expect(logger.lines).toHaveLength(5);
  });

  it('limits each level and code apart', () => {
    const logger = recordingLogger();
    const limiter = new RateLimiter(1000, () => logger);
    limiter.log('warn', { code: 'A' }, 'a1');
    limiter.log('warn', { code: 'B' }, 'b1');
    limiter.log('error', { code: 'A' }, 'a-error');
    limiter.log('warn', { code: 'A' }, 'a2');
    expect(logger.lines.map((l) => `${l[0]} ${l[2]}`)).toEqual(['warn a1', 'warn b1', 'error a-error']);
    limiter.flush();
    expect(logger.lines.map((l) => `${l[0]} ${l[2]}`).slice(3)).toEqual(['warn A x1 in the last 1 s']);
  });
});
