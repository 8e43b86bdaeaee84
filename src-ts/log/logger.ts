/**
 * The logger heddle writes through: the four methods pino and Node's `console` share, each called
 * as `logger.warn({ code, peer, ... }, message)`, so a pino instance, `console`, or anything with
 * that shape plugs in.
 */
export interface Logger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** Levels from most to least severe; `silent` logs nothing. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

/** The fields heddle attaches to every entry: the HeddleError code and, for connection events, the peer. */
export interface LogFields {
  code: string;
  peer?: string;
  [field: string]: unknown;
}

const SEVERITY: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** True when an entry at `level` passes a `threshold` (`warn` passes `error` and `warn`). */
export function levelEnabled(level: Exclude<LogLevel, 'silent'>, threshold: LogLevel): boolean {
  return SEVERITY[level] <= SEVERITY[threshold];
}

/** Checks a user-supplied level, naming the option it came from. */
export function checkLevel(level: unknown, what: string): LogLevel {
  if (typeof level === 'string' && Object.hasOwn(SEVERITY, level)) return level as LogLevel;
  throw new TypeError(`${what} must be one of ${Object.keys(SEVERITY).join(', ')}; got ${String(level)}`);
}

/** Checks that `logger` has the four methods, naming the option it came from. */
export function checkLogger(logger: unknown, what: string): Logger {
  const candidate = logger as Partial<Record<keyof Logger, unknown>> | null;
  for (const method of ['error', 'warn', 'info', 'debug'] as const) {
    if (typeof candidate?.[method] !== 'function') throw new TypeError(`${what} must have error, warn, info and debug methods (a pino logger or console); ${method} is missing`);
  }
  return logger as Logger;
}

function stderrLine(level: string) {
  return (fields: object, message: string): void => {
    const { code, peer } = fields as Partial<LogFields>;
    process.stderr.write(`heddle ${level}${code === undefined ? '' : ` ${code}`}${peer === undefined ? '' : ` (${peer})`}: ${message}\n`);
  };
}

/** The logger used when none is set: one line per entry on stderr. */
export const stderrLogger: Logger = {
  error: stderrLine('error'),
  warn: stderrLine('warn'),
  info: stderrLine('info'),
  debug: stderrLine('debug'),
};
