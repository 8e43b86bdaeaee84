import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ErrorCode, HeddleError } from '../errors.js';

/**
 * Tags a merged-deployment registration adds to a registry-etcd value (extra tags only: Kitex
 * readers keep the value and ignore tags they do not know). `host` is the host identity (the
 * CloudWeGo whitepaper's "combine key"), `proc` the registering process, `server` which server of
 * that process, `shm` and `unix` the same-host endpoints (a shmipc control socket path, a Unix
 * socket path), `uid` their owner, `unix.id` and `shm.id` which files those paths named.
 */
export const MergedTag = {
  host: 'heddle.host',
  proc: 'heddle.proc',
  server: 'heddle.server',
  shm: 'heddle.shm',
  unix: 'heddle.unix',
  uid: 'heddle.uid',
  /** `dev:ino` of the `unix` and `shm` socket files: a client in another mount namespace (a pod
   * of the same node, built from the same image) may find its own socket at the same path. */
  unixId: 'heddle.unix.id',
  shmId: 'heddle.shm.id',
} as const;

/** The `dev:ino` identity of a file, as the merged-deployment `*.id` tags carry it; undefined
 * when it cannot be read (the tag is then left out, and clients check the owner only). */
export function fileIdentity(path: string): string | undefined {
  try {
    return identityOfStat(statSync(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** `dev:ino` of a file already stat'ed with `{ bigint: true }`. */
export function identityOfStat(stat: { dev: bigint; ino: bigint }): string {
  return `${stat.dev}:${stat.ino}`;
}

/** Environment variables naming the host, in order: Kubernetes node names (downward API, by the
 * usual spellings), then host IPs. */
export const HOST_IDENTITY_ENV = ['KUBERNETES_NODE_NAME', 'NODE_NAME', 'MY_NODE_NAME', 'HOST_IP', 'MY_HOST_IP', 'KUBERNETES_HOST_IP'] as const;

/**
 * Files naming the host, in order. The kernel's boot id comes first: every container on one kernel
 * reads the same value (the file is not namespaced) and no two boots share one, whereas
 * /etc/machine-id is copied into images, so containers of one image on different hosts would
 * all claim to be co-located. The machine id stays as the fallback for systems without /proc.
 */
export const HOST_IDENTITY_FILES = ['/proc/sys/kernel/random/boot_id', '/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

/**
 * This host's identity: the first of {@link HOST_IDENTITY_ENV} that is set, else the first
 * readable, non-empty file of {@link HOST_IDENTITY_FILES}. Pods on one node see the same node name,
 * so they recognise each other as co-located. Throws ERR_DISCOVERY when nothing names the host:
 * then pass `hostIdentity` explicitly.
 */
export function defaultHostIdentity(env: NodeJS.ProcessEnv = process.env, identityFiles: readonly string[] = HOST_IDENTITY_FILES): string {
  for (const name of HOST_IDENTITY_ENV) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  for (const file of identityFiles) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // Not there on this system: try the next.
    }
  }
  throw new HeddleError(ErrorCode.ERR_DISCOVERY, `no host identity: set one of ${HOST_IDENTITY_ENV.join(', ')}, or give hostIdentity`);
}

/** Checks an explicit host identity, or finds the default. */
export function hostIdentityOf(given: string | undefined, what: string): string {
  if (given === undefined) return defaultHostIdentity();
  if (typeof given !== 'string' || given.trim() === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: hostIdentity must be a non-empty string`);
  return given;
}

/** Names this process in registrations (`heddle.proc`): a pid alone repeats across containers. */
export const PROCESS_TOKEN = `${process.pid}-${randomBytes(6).toString('hex')}`;
