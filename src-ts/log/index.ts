/**
 * heddle's logging: one process-wide logger (stderr by default; a pino instance, `console`, or
 * anything with `error`/`warn`/`info`/`debug` plugs in with {@link setLogger}), silent below `warn`
 * unless asked, with repeated warnings and errors rate-limited per code (see rate-limit.ts).
 */
import { checkLevel, checkLogger, levelEnabled, stderrLogger, type LogFields, type Logger, type LogLevel } from './logger.js';
import { RateLimiter } from './rate-limit.js';

export type { LogFields, Logger, LogLevel } from './logger.js';
export { RateLimiter } from './rate-limit.js';

/** Options of {@link setLogger}. */
export interface LoggerOptions {
  /** Entries below this level are dropped before reaching the logger. Default `warn`. */
  level?: LogLevel;
  /** Warnings and errors of one code past the first are counted, not logged, for this long,
   * then summarised in one line. Default 10 000 ms; 0 logs every entry. */
  rateLimitMs?: number;
}

const DEFAULT_RATE_LIMIT_MS = 10_000;

let current: Logger = stderrLogger;
let threshold: LogLevel = 'warn';
let limiter: RateLimiter | undefined = new RateLimiter(DEFAULT_RATE_LIMIT_MS, () => current);

/**
 * Sets where heddle logs, for the whole process: `setLogger(pino())`, `setLogger(console, {
 * level: 'debug' })`; `setLogger(undefined)` goes back to stderr. Summaries pending for the
 * previous logger are written to it first.
 */
export function setLogger(logger: Logger | undefined, options: LoggerOptions = {}): void {
  const next = logger === undefined ? stderrLogger : checkLogger(logger, 'setLogger: logger');
  const level = checkLevel(options.level ?? 'warn', 'setLogger: options.level');
  const rateLimitMs = options.rateLimitMs ?? DEFAULT_RATE_LIMIT_MS;
  if (!Number.isFinite(rateLimitMs) || rateLimitMs < 0) throw new TypeError(`setLogger: options.rateLimitMs must be a non-negative number of ms; got ${rateLimitMs}`);
  limiter?.flush();
  current = next;
  threshold = level;
  limiter = rateLimitMs === 0 ? undefined : new RateLimiter(rateLimitMs, () => current);
}

/** True when entries at `level` reach the logger: check before building an expensive message. */
export function enabled(level: Exclude<LogLevel, 'silent'>): boolean {
  return levelEnabled(level, threshold);
}

function limited(level: 'error' | 'warn', code: string, message: string, peer: string | undefined, extra: object | undefined): void {
  if (!levelEnabled(level, threshold)) return;
  const fields: LogFields = peer === undefined ? { code, ...extra } : { code, peer, ...extra };
  if (limiter === undefined) current[level](fields, message);
  else limiter.log(level, fields, message);
}

/** @internal Logs an error heddle handled (a handler that failed, a reply that did not encode). */
export function logError(code: string, message: string, peer?: string, extra?: object): void {
  limited('error', code, message, peer, extra);
}

/** @internal Logs a warning (a connection closed for a bad frame, a lost keepalive). */
export function logWarn(code: string, message: string, peer?: string, extra?: object): void {
  limited('warn', code, message, peer, extra);
}

/** @internal Logs an event worth knowing when looking closely; never rate-limited. */
export function logInfo(code: string, message: string, peer?: string): void {
  if (levelEnabled('info', threshold)) current.info(peer === undefined ? { code } : { code, peer }, message);
}

/** @internal Logs detail for debugging; never rate-limited. */
export function logDebug(code: string, message: string, peer?: string): void {
  if (levelEnabled('debug', threshold)) current.debug(peer === undefined ? { code } : { code, peer }, message);
}
