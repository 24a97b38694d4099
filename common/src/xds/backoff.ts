/** Reconnect delays: `initialMs`, doubling on every failure, capped at `maxMs`. */
export interface BackoffOptions {
  /** First delay in milliseconds (ztunnel: 10 ms). */
  initialMs?: number;
  /** Largest delay in milliseconds (ztunnel: 15 s). */
  maxMs?: number;
}

export const DEFAULT_BACKOFF_INITIAL_MS = 10;
export const DEFAULT_BACKOFF_MAX_MS = 15_000;

/**
 * Exponential backoff without jitter: 10 ms, 20 ms, 40 ms … 15 s. Pure state; the caller owns the timer,
 * so tests can read the delays without waiting for them.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private nextMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
    this.maxMs = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got ${this.initialMs} and ${this.maxMs}`);
    }
    this.nextMs = this.initialMs;
  }

  /** The delay before the next attempt; each call doubles the one after it. */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    return delay;
  }

  /** Called after a successful exchange: the next failure starts again at `initialMs`. */
  reset(): void {
    this.nextMs = this.initialMs;
  }
}
