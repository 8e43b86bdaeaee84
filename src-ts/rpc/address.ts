import { ErrorCode, HeddleError } from '../errors.js';

/** A parsed RPC address: `tcp://host:port`, `unix:///path/to.sock` or `shm:///path/to/control.sock`. */
export type RpcAddress =
  | { scheme: 'tcp'; host: string; port: number }
  | { scheme: 'unix'; path: string }
  | { scheme: 'shm'; path: string };

/** Parses an address URL; ERR_INVALID_ARGUMENT names what is wrong with it. */
export function parseAddress(url: string): RpcAddress {
  if (typeof url !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `address must be a string, got ${typeof url}`);
  const match = /^([a-z]+):\/\/(.*)$/.exec(url);
  if (match === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `address '${url}' is not a URL like tcp://127.0.0.1:8888 or unix:///run/x.sock`);
  const [, scheme, rest] = match as unknown as [string, string, string];
  if (scheme === 'unix' || scheme === 'shm') {
    if (!rest.startsWith('/')) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${scheme} address '${url}' needs an absolute path (${scheme}:///path)`);
    return { scheme, path: decodeURIComponent(rest) };
  }
  if (scheme !== 'tcp') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `address scheme '${scheme}' is not one of tcp, unix, shm`);
  const hostPort = /^(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(rest);
  if (hostPort === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `tcp address '${url}' needs host:port`);
  const port = Number(hostPort[2]);
  if (port > 65535) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `tcp address '${url}' has port ${port} > 65535`);
  const host = hostPort[1]!.startsWith('[') ? hostPort[1]!.slice(1, -1) : hostPort[1]!;
  return { scheme: 'tcp', host, port };
}

/** `host:port`, an IPv6 host in brackets (`[::1]:8888`). */
export function hostPort(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The URL form of an address, as `server.address` reports it. */
export function formatAddress(address: RpcAddress): string {
  if (address.scheme === 'tcp') return `tcp://${hostPort(address.host, address.port)}`;
  return `${address.scheme}://${encodeURI(address.path)}`;
}
