import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';

/** Workload certificate lifetimes, seconds (DEFAULT_WORKLOAD_CERT_TTL / MAX_WORKLOAD_CERT_TTL). */
export interface TtlPolicy {
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

/**
 * The lifetime granted for a request's `validity_duration` (int64 seconds, decoded as a string): 0, negative or
 * absent → the default; longer than the maximum → the maximum (Istio caps rather than refuses).
 */
export function grantedTtlSeconds(validityDuration: string | number | undefined | null, policy: TtlPolicy): number {
  const fallback = Math.min(policy.defaultTtlSeconds, policy.maxTtlSeconds);
  if (validityDuration === undefined || validityDuration === null || validityDuration === '') return fallback;
  const text = String(validityDuration).trim();
  if (!/^[+-]?\d+$/.test(text)) {
    throw new IstiodCaError(IstiodCaErrorCode.BAD_TTL, `validity_duration "${text}" is not an integer number of seconds`);
  }
  const seconds = Number(text);
  if (seconds <= 0) return fallback;
  return Math.min(seconds, policy.maxTtlSeconds);
}
