import net from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { ErrorCode, HeddleError } from '../errors.js';
import type { RpcAddress } from '../rpc/address.js';

/** PEM text or bytes, or several of them (node:tls's shape). */
export type PemInput = string | Buffer | Array<string | Buffer>;

/**
 * TLS for a gRPC client (`createClient({ transport: 'grpc', tls: {...} })`), what grpc-js's
 * `credentials.createSsl(ca, key, cert)` and grpc-go's `credentials.NewTLS` take. The connection
 * negotiates HTTP/2 by ALPN (`h2`), as RFC 9113 and every gRPC server want.
 */
export interface GrpcClientTlsOptions {
  /** Certificates the server's chain must lead to. Default: Node's bundled root CAs. */
  ca?: PemInput;
  /** The client's certificate chain, for servers that ask for one (mutual TLS); with `key`. */
  cert?: PemInput;
  /** The client certificate's private key; with `cert`. */
  key?: PemInput;
  /** The name the server's certificate must carry (and SNI sends). Default: the address's host
   * when it is a name, none for an IP address (the certificate must then carry that IP). */
  servername?: string;
  /** Default true: a server whose certificate does not verify is refused (calls fail with
   * UNAVAILABLE naming the reason). False accepts any certificate: for tests only. */
  rejectUnauthorized?: boolean;
}

/**
 * TLS for gRPC on a heddle server (`createServer({ grpc: { tls: {...} } })`): a connection that
 * opens with a TLS handshake on the server's port is served as gRPC over TLS (ALPN `h2`).
 */
export interface GrpcServerTlsOptions {
  /** The server's certificate chain. */
  cert: PemInput;
  /** Its private key. */
  key: PemInput;
  /** Certificates client certificates must lead to (with `requestCert`). */
  ca?: PemInput;
  /** Ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /** With `requestCert`: refuse a client whose certificate is missing or does not verify.
   * Default true. */
  rejectUnauthorized?: boolean;
  /** Also serve gRPC without TLS (h2c) on the port. Default false: once TLS is configured, a
   * cleartext HTTP/2 connection is refused. TTHeader and Framed connections are served either
   * way: Kitex speaks them without TLS. */
  allowPlaintext?: boolean;
  /** How long a client may take to complete the handshake before it is cut. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
}

const ALPN_H2 = ['h2'];

function checkPem(value: unknown, what: string, required: boolean): void {
  if (value === undefined && !required) return;
  const ok = (item: unknown) => typeof item === 'string' || Buffer.isBuffer(item);
  if (!(ok(value) || (Array.isArray(value) && value.length > 0 && value.every(ok)))) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be PEM text or a Buffer (or an array of them), got ${value === undefined ? 'nothing' : typeof value}`);
  }
}

/** node:tls skips CA text that holds no certificate, which would leave a client trusting no one
 * and failing every handshake with a less helpful message. */
function checkCa(value: PemInput | undefined, what: string): void {
  checkPem(value, what, false);
  if (value === undefined) return;
  for (const item of Array.isArray(value) ? value : [value]) {
    if (!item.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
}

function checkBoolean(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be a boolean, got ${typeof value}`);
}

/** node:tls refusing the PEM material (bad key, key not matching the certificate) as a HeddleError. */
function secureContext(options: tls.SecureContextOptions, what: string): SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (error) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: ${(error as Error).message}`, { cause: error });
  }
}

/** The client's TLS settings, checked once at createClient: its secure context is built now, so
 * bad PEM fails there and every connection reuses it. */
export interface ClientTls {
  readonly context: SecureContext;
  readonly servername: string | undefined;
  readonly rejectUnauthorized: boolean;
}

/** Checks a client's `tls` option (`true` for the defaults) and builds its secure context. */
export function clientTls(options: GrpcClientTlsOptions | boolean | undefined): ClientTls | undefined {
  if (options === undefined || options === false) return undefined;
  const given = options === true ? {} : options;
  if (typeof given !== 'object' || given === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `tls must be true or an object of TLS options, got ${typeof options}`);
  checkCa(given.ca, 'tls.ca');
  checkPem(given.cert, 'tls.cert', given.key !== undefined);
  checkPem(given.key, 'tls.key', given.cert !== undefined);
  checkBoolean(given.rejectUnauthorized, 'tls.rejectUnauthorized');
  if (given.servername !== undefined && (typeof given.servername !== 'string' || given.servername === '')) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `tls.servername must be a non-empty string, got ${String(given.servername)}`);
  }
  const { ca, cert, key } = given;
  return {
    context: secureContext({ ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert, key }) }, 'createClient: tls'),
    servername: given.servername,
    rejectUnauthorized: given.rejectUnauthorized ?? true,
  };
}

/**
 * Opens a TLS connection to `address` offering only HTTP/2 by ALPN. Writes before the handshake
 * completes are held by the socket, so a session may send its preface at once; 'secureConnect'
 * says the handshake is done.
 */
export function connectTls(address: RpcAddress, settings: ClientTls): TLSSocket {
  const common = { secureContext: settings.context, ALPNProtocols: ALPN_H2, rejectUnauthorized: settings.rejectUnauthorized };
  let socket: TLSSocket;
  if (address.scheme === 'tcp') {
    // SNI carries names only; an IP address is checked against the certificate's IP entries.
    const servername = settings.servername ?? (net.isIP(address.host) === 0 ? address.host : undefined);
    socket = tls.connect({ ...common, host: address.host, port: address.port, ...(servername === undefined ? {} : { servername }) });
  } else {
    socket = tls.connect({ ...common, path: (address as { path: string }).path, ...(settings.servername === undefined ? {} : { servername: settings.servername }) });
  }
  socket.setNoDelay(true);
  return socket;
}

/** Why a finished handshake cannot carry gRPC, or undefined when it can. */
export function alpnRefusal(socket: TLSSocket, peer: string): string | undefined {
  return socket.alpnProtocol === 'h2' ? undefined : `${peer} did not negotiate HTTP/2 over TLS (ALPN ${socket.alpnProtocol === false ? 'absent' : `'${socket.alpnProtocol}'`}; gRPC needs 'h2')`;
}

/** The server's TLS settings, checked once at createServer. */
export interface ServerTls {
  /** What the TLS server is made with (its secure context built from them). */
  readonly serverOptions: tls.TlsOptions;
  readonly allowPlaintext: boolean;
  readonly handshakeTimeoutMs: number;
}

/** Checks a server's `grpc.tls` option; bad PEM fails here, not on the first connection. */
export function serverTls(options: GrpcServerTlsOptions | undefined): ServerTls | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.tls must be an object of TLS options, got ${typeof options}`);
  checkPem(options.cert, 'grpc.tls.cert', true);
  checkPem(options.key, 'grpc.tls.key', true);
  checkCa(options.ca, 'grpc.tls.ca');
  checkBoolean(options.requestCert, 'grpc.tls.requestCert');
  checkBoolean(options.rejectUnauthorized, 'grpc.tls.rejectUnauthorized');
  checkBoolean(options.allowPlaintext, 'grpc.tls.allowPlaintext');
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs <= 0) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.tls.handshakeTimeoutMs must be a positive integer, got ${handshakeTimeoutMs}`);
  }
  const { cert, key, ca } = options;
  const material = { cert, key, ...(ca === undefined ? {} : { ca }) };
  secureContext(material, 'createServer: grpc.tls');
  return {
    serverOptions: {
      ...material,
      ALPNProtocols: ALPN_H2,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      handshakeTimeout: handshakeTimeoutMs,
    },
    allowPlaintext: options.allowPlaintext ?? false,
    handshakeTimeoutMs,
  };
}

function peerOf(socket: net.Socket): string {
  return socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * The server side of TLS for gRPC connections: a node:tls server that never listens, handed the
 * sockets whose first bytes (still unread or put back: node:tls reads what a socket buffered) are
 * a TLS handshake. It runs the handshake with its timeout, refuses unverified client certificates
 * (with `requestCert`) and clients that did not agree on `h2`, and gives the rest to `onSecure`.
 */
export class TlsAcceptor {
  private readonly server: tls.Server;

  constructor(settings: ServerTls, onSecure: (socket: TLSSocket, peer: string) => void, onRefused: (reason: string, peer: string) => void) {
    this.server = tls.createServer(settings.serverOptions);
    this.server.on('secureConnection', (socket: TLSSocket) => {
      const peer = peerOf(socket);
      const refusal = alpnRefusal(socket, peer);
      if (refusal === undefined) return onSecure(socket, peer);
      onRefused(refusal, peer);
      socket.destroy();
    });
    this.server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      const peer = peerOf(socket);
      const reason =
        error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT'
          ? `TLS handshake from ${peer} took longer than ${settings.handshakeTimeoutMs} ms`
          : `TLS handshake from ${peer} failed: ${error.code ?? error.message}${socket.authorizationError === undefined ? '' : ` (client certificate: ${String(socket.authorizationError)})`}`;
      onRefused(reason, peer);
      socket.destroy();
    });
  }

  /** Starts the handshake on `socket`. */
  accept(socket: net.Socket): void {
    this.server.emit('connection', socket);
  }
}
