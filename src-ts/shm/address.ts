import { ErrorCode, HeddleError } from '../errors.js';

/** Where a fallback socket listens: a Unix socket path, or a TCP host and port. */
export type FallbackAddress = { transport: 'unix'; path: string } | { transport: 'tcp'; host: string; port: number };

/** Parses 'unix:///path/to.sock' or 'tcp://host:port' (port 0 lets the server pick one). */
export function parseFallbackAddress(address: string, option = 'fallback'): FallbackAddress {
  if (address.startsWith('unix://')) {
    const path = address.slice('unix://'.length);
    if (path.startsWith('/')) return { transport: 'unix', path };
  } else if (address.startsWith('tcp://')) {
    const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(address);
    const port = match === null ? NaN : Number(match[2]);
    if (match !== null && port <= 65535) return { transport: 'tcp', host: match[1]!.replace(/^\[|\]$/g, ''), port };
  }
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: ${option} must be 'unix:///absolute/path' or 'tcp://host:port', not '${address}'`);
}

/** The URL form of an address, e.g. after the server picked a TCP port. */
export function formatFallbackAddress(address: FallbackAddress): string {
  if (address.transport === 'unix') return `unix://${address.path}`;
  return `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
