import { GrpcStatus, grpcStatusError } from './status.js';

/** Milliseconds per grpc-timeout unit (H hours, M minutes, S seconds, m millis, u micros, n nanos). */
const units: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * The grpc-timeout header for `ms` milliseconds: at most 8 digits, so long budgets go in coarser
 * units (rounded up, so a deadline never comes early).
 */
export function encodeGrpcTimeout(ms: number): string {
  const budget = Math.max(0, Math.ceil(ms));
  if (budget < 100_000_000) return `${budget}m`;
  const seconds = Math.ceil(budget / 1000);
  if (seconds < 100_000_000) return `${seconds}S`;
  return `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`;
}

/** The budget in milliseconds a grpc-timeout header gives; a malformed one is an INTERNAL status
 * error, as grpc-go answers it. */
export function parseGrpcTimeout(value: string): number {
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) throw grpcStatusError(GrpcStatus.INTERNAL, `malformed grpc-timeout '${value.slice(0, 32)}'`, { local: true });
  return Number(match[1]) * units[match[2]!]!;
}
