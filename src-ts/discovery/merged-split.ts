import { hash32 } from '../governance/load-balancer.js';

/**
 * The CloudWeGo whitepaper's local/remote split for merged deployment. With m and n the instance
 * counts of the caller and callee services, and m' and n' those on this host: R = m/n,
 * R' = m'/n', K = R'/R. Up to K = 1.1 this host has enough callees for its callers, and every call
 * stays local; above it, local : remote = 1 : (K - 1), so the local share is 1/K.
 */
export interface InstanceCounts {
  /** Caller instances, everywhere and on this host (this caller included). */
  readonly callers: number;
  readonly localCallers: number;
  /** Callee instances, everywhere and on this host. */
  readonly callees: number;
  readonly localCallees: number;
}

/** Up to this K, every call goes local (the whitepaper's tolerance). */
export const ALL_LOCAL_UP_TO_K = 1.1;

/** K for these counts; Infinity when no callee is local (then nothing can go local). */
export function combineRatio(counts: InstanceCounts): number {
  const { callers, localCallers, callees, localCallees } = counts;
  if (localCallees <= 0 || callees <= 0) return Infinity;
  const m = Math.max(callers, localCallers, 1);
  const mLocal = Math.max(localCallers, 1);
  return mLocal / localCallees / (m / callees);
}

/** The share of calls (0..1) that go to local instances. */
export function localShare(counts: InstanceCounts): number {
  const k = combineRatio(counts);
  if (!Number.isFinite(k)) return 0;
  return k <= ALL_LOCAL_UP_TO_K ? 1 : 1 / k;
}

/**
 * Spreads calls between local and remote at a given share without randomness: each call adds the
 * share to a credit, and goes local while the credit covers it, so any run of calls matches the
 * share to within one call. A call with a hash key (consistent hashing) is split by the key
 * instead, so every call of one key lands on the same side and the ring's affinity holds.
 */
export class ShareSplitter {
  private credit = 0;

  constructor(private share = 1) {}

  setShare(share: number): void {
    this.share = Math.min(1, Math.max(0, share));
  }

  get localShare(): number {
    return this.share;
  }

  /** True when this call goes local. */
  next(hashKey?: string): boolean {
    if (this.share >= 1) return true;
    if (this.share <= 0) return false;
    // Salted: the ring places the key by hash32(key), and a split on that same value would send
    // only one arc of the ring local, loading the local instances unevenly.
    if (hashKey !== undefined) return hash32(`${hashKey}\u0000local-share`) < this.share * 2 ** 32;
    this.credit += this.share;
    // A tolerance, or 1/3 + 1/3 + 1/3 would fall short of 1.
    if (this.credit >= 1 - 1e-9) {
      this.credit -= 1;
      return true;
    }
    return false;
  }
}
