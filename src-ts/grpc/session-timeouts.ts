import http2, { type ServerHttp2Session } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';
import { DEFAULT_SETTINGS_TIMEOUT_MS } from './http2/server-session.js';

const { NGHTTP2_NO_ERROR, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_SETTINGS_TIMEOUT } = http2.constants;

/** How long a server waits on a connection's client: both engines take them. */
export interface SessionTimeouts {
  /** For the preface and SETTINGS, and the ACK of the server's SETTINGS. */
  settingsTimeoutMs: number;
  /** Without open streams for this long, a connection gets GOAWAY; 0 never. */
  idleTimeoutMs: number;
}

function checkMs(value: number | undefined, fallback: number, what: string, zeroAllowed: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1) || value > 0x7fffffff) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.${what} must be an integer of milliseconds in [${zeroAllowed ? 0 : 1}, 2^31), got ${value}`);
  }
  return value;
}

/** Checks the server's `grpc.settingsTimeoutMs` and `grpc.idleTimeoutMs`. */
export function sessionTimeouts(options: { settingsTimeoutMs?: number; idleTimeoutMs?: number }): SessionTimeouts {
  return {
    settingsTimeoutMs: checkMs(options.settingsTimeoutMs, DEFAULT_SETTINGS_TIMEOUT_MS, 'settingsTimeoutMs', false),
    idleTimeoutMs: checkMs(options.idleTimeoutMs, 0, 'idleTimeoutMs', true),
  };
}

/**
 * The same timeouts on a node:http2 server session, which has none of its own: GOAWAY
 * PROTOCOL_ERROR for a client that sent no SETTINGS in time, SETTINGS_TIMEOUT for one that never
 * acknowledged the server's (`onTimeout` says which, for the log), and NO_ERROR (then a graceful
 * close) after `idleTimeoutMs` without streams.
 */
export function watchNodeSession(session: ServerHttp2Session, timeouts: SessionTimeouts, onTimeout: (message: string) => void): void {
  let sawSettings = false;
  let acked = false;
  const settingsTimer = setTimeout(() => {
    if (session.destroyed) return;
    const [code, message] = sawSettings
      ? [NGHTTP2_SETTINGS_TIMEOUT, `the client did not acknowledge SETTINGS within ${timeouts.settingsTimeoutMs} ms`]
      : [NGHTTP2_PROTOCOL_ERROR, `the client did not send its preface and SETTINGS within ${timeouts.settingsTimeoutMs} ms`];
    onTimeout(`${message}; connection closed`);
    session.goaway(code, 0, Buffer.from(message));
    session.destroy();
  }, timeouts.settingsTimeoutMs);
  settingsTimer.unref();
  const settled = () => {
    if (sawSettings && acked) clearTimeout(settingsTimer);
  };
  session.once('remoteSettings', () => {
    sawSettings = true;
    settled();
  });
  session.once('localSettings', () => {
    acked = true;
    settled();
  });
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  session.once('close', () => {
    clearTimeout(settingsTimer);
    clearTimeout(idleTimer);
  });
  if (timeouts.idleTimeoutMs === 0) return;
  let open = 0;
  let idleSince = performance.now();
  session.on('stream', (stream) => {
    open++;
    stream.once('close', () => {
      if (--open === 0) idleSince = performance.now();
    });
  });
  const check = () => {
    if (session.destroyed || session.closed) return;
    const idleFor = open === 0 ? performance.now() - idleSince : 0;
    if (idleFor >= timeouts.idleTimeoutMs) {
      session.goaway(NGHTTP2_NO_ERROR);
      session.close();
      return;
    }
    idleTimer = setTimeout(check, timeouts.idleTimeoutMs - idleFor);
    idleTimer.unref();
  };
  idleTimer = setTimeout(check, timeouts.idleTimeoutMs);
  idleTimer.unref();
}
