// When to renew a certificate and how long to wait after a failure: pure, so the timing is unit-tested.

export const BACKOFF_INITIAL_MS = 500;
export const BACKOFF_MAX_MS = 150_000;

/** Renew at half-life: notBefore + ½·lifetime (ztunnel's rule). */
export function refreshAt(notBeforeMs: number, notAfterMs: number): number {
  return notBeforeMs + Math.floor((notAfterMs - notBeforeMs) / 2);
}

/** Delay before retry number `failures` (1 = first failure): 500 ms doubling, at most 150 s. */
export function backoffDelay(failures: number): number {
  if (failures <= 1) return BACKOFF_INITIAL_MS;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(failures - 1, 30));
}

/** Delay until the next renewal attempt, from now; never negative. */
export function nextRefreshDelay(nowMs: number, notBeforeMs: number, notAfterMs: number): number {
  return Math.max(0, refreshAt(notBeforeMs, notAfterMs) - nowMs);
}
