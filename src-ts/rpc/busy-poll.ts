import { ErrorCode, HeddleError } from '../errors.js';

/**
 * Busy polling: keeping this process's event loop polling its sockets, instead of sleeping in
 * epoll_wait, for a bounded time after a frame goes out.
 *
 * A reply to a small call arrives tens of microseconds after the request leaves. When the loop
 * sleeps in between, the thread, and on a virtual machine the vCPU, is parked and woken again, and
 * on this class of machine that wake-up costs more than the call itself (a Node ping-pong over
 * loopback takes about 100 µs a round trip asleep and about 30 µs polling). A pending immediate
 * makes libuv poll with a zero timeout, so while one is queued the loop turns without sleeping
 * and still runs timers, other sockets and the native I/O path as usual. The price is one core
 * kept busy for up to the budget after each write; that is why it is opt-in.
 */
let deadline = 0;
let polling = false;

function poll(): void {
  if (performance.now() < deadline) setImmediate(poll);
  else polling = false;
}

/** Keeps the event loop polling for at least `micros` microseconds from now. */
export function keepLoopPolling(micros: number): void {
  const until = performance.now() + micros / 1000;
  if (until > deadline) deadline = until;
  if (!polling) {
    polling = true;
    setImmediate(poll);
  }
}

/** Whether the loop is being kept polling now. */
export function isLoopPolling(): boolean {
  return polling;
}

/** The longest budget accepted: a second of spinning after one write is a mistake, not a setting. */
export const MAX_BUSY_POLL_MICROS = 100_000;

/** Validates a `busyPollMicros` option. */
export function checkBusyPollMicros(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > MAX_BUSY_POLL_MICROS) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `busyPollMicros must be an integer from 0 to ${MAX_BUSY_POLL_MICROS}, got ${value}`);
  }
  return value;
}
