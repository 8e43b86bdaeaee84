import { ErrorCode, HeddleError } from '../errors.js';

/** HTTP/2 keepalive pings (gRPC's keepalive: PING every interval, the connection is dead when one
 * goes unanswered for the timeout). */
export interface KeepaliveOptions {
  /** Milliseconds between PINGs on an open connection. Default 0: no pings. */
  keepaliveMs?: number;
  /** How long a PING may go unanswered before the connection is closed. Default 20 000 ms. */
  keepaliveTimeoutMs?: number;
}

function checkMs(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** Checks keepalive options; ERR_INVALID_ARGUMENT names a bad one. */
export function checkKeepalive(options: KeepaliveOptions): Required<KeepaliveOptions> {
  return {
    keepaliveMs: checkMs(options.keepaliveMs, 0, 'keepaliveMs'),
    keepaliveTimeoutMs: checkMs(options.keepaliveTimeoutMs, 20_000, 'keepaliveTimeoutMs'),
  };
}

/** What keepalive pings: a node:http2 session or heddle's own HTTP/2 client session. */
export interface PingTarget {
  readonly destroyed: boolean;
  /** Sends a PING; false when none could be sent. */
  ping(callback: (error: Error | null) => void): boolean;
  destroy(error?: Error): void;
}

/**
 * Pings `session` every `keepaliveMs` while it is open; an unanswered ping destroys it (its
 * streams then fail with ERR_CONNECTION) after calling `onDead`. Returns the stop function, which
 * the caller runs when the session closes.
 */
export function startKeepalive(session: PingTarget, options: KeepaliveOptions, onDead: () => void): () => void {
  const { keepaliveMs, keepaliveTimeoutMs } = checkKeepalive(options);
  if (keepaliveMs === 0) return () => {};
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const interval = setInterval(() => {
    if (session.destroyed || deadline !== undefined) return;
    deadline = setTimeout(() => {
      onDead();
      session.destroy(new HeddleError(ErrorCode.ERR_TIMEOUT, `keepalive PING unanswered for ${keepaliveTimeoutMs} ms`));
    }, keepaliveTimeoutMs);
    deadline.unref();
    const sent = session.ping((error) => {
      if (deadline !== undefined) clearTimeout(deadline);
      deadline = undefined;
      void error;
    });
    if (!sent && deadline !== undefined) {
      clearTimeout(deadline);
      deadline = undefined;
    }
  }, keepaliveMs);
  interval.unref();
  return () => {
    clearInterval(interval);
    if (deadline !== undefined) clearTimeout(deadline);
  };
}
