import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files (paths and contents) for the gRPC-over-TLS tests. */
export interface TestPki {
  dir: string;
  /** The test CA, which signed `server` and `client`. */
  ca: Buffer;
  caPath: string;
  /** A certificate for the names `localhost` and `127.0.0.1`, for servers. */
  server: { cert: Buffer; key: Buffer; certPath: string; keyPath: string };
  /** A client certificate (mutual TLS). */
  client: { cert: Buffer; key: Buffer; certPath: string; keyPath: string };
  /** Another CA, which signed none of them: trusting it alone must fail. */
  otherCa: Buffer;
  remove(): void;
}

/**
 * Makes a fresh CA, a server and a client certificate with the openssl command (P-256 keys, valid
 * two days), so no key material lives in the tree. grpc-go checks names against the subject
 * alternative names only, so the server certificate carries both.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-grpc-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string) =>
    openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=heddle test ${name}`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  makeCa('ca');
  makeCa('other-ca');
  const issue = (name: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=heddle test ${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
    return { cert: readFileSync(at(`${name}.crt`)), key: readFileSync(at(`${name}.key`)), certPath: at(`${name}.crt`), keyPath: at(`${name}.key`) };
  };
  const server = issue('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = issue('client', 'subjectAltName=DNS:heddle-client\nextendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: readFileSync(at('ca.crt')),
    caPath: at('ca.crt'),
    server,
    client,
    otherCa: readFileSync(at('other-ca.crt')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
