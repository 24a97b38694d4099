import { CaError, CaErrorCode } from './tls-errors.ts';

/** Default workload certificate lifetime (Istio DEFAULT_WORKLOAD_CERT_TTL, 24 h). */
export const DEFAULT_CERT_TTL_S = 24 * 60 * 60;
/** Longest workload certificate lifetime the CA grants (Istio MAX_WORKLOAD_CERT_TTL, 90 days). */
export const MAX_CERT_TTL_S = 90 * 24 * 60 * 60;
/** Lifetime of a generated self-signed root (10 years, as Istio's). */
export const DEFAULT_ROOT_TTL_S = 10 * 365 * 24 * 60 * 60;
/** How far a leaf's notBefore is set into the past, so peers with slightly slow clocks accept it at once. */
export const DEFAULT_BACKDATE_S = 2 * 60;

/** The TTL limits a CA applies. */
export interface TtlLimits {
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
}

/**
 * The TTL actually granted: the default when none is asked for, otherwise the request capped at the maximum.
 * Istio caps rather than refuses, so a client asking for too long still gets a certificate.
 */
export function resolveTtlSeconds(requested: number | undefined, limits: TtlLimits): number {
  if (requested === undefined || requested === 0) return Math.min(limits.defaultTtlSeconds, limits.maxTtlSeconds);
  checkPositiveSeconds('requested TTL', requested);
  return Math.min(requested, limits.maxTtlSeconds);
}

/** Throws {@link CaError} unless `value` is a positive finite number of seconds. */
export function checkPositiveSeconds(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new CaError(CaErrorCode.INVALID_TTL, `${what} must be a positive number of seconds, got ${String(value)}`);
  }
}
