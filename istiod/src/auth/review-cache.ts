import { createHash } from 'node:crypto';
import type { Caller } from './caller.ts';

/** Most entries kept; past this, expired ones are dropped and then the oldest. */
const MAX_ENTRIES = 10_000;

/**
 * Successful reviews by SHA-256 of the token (the token itself is never kept), so a ztunnel that opens a stream
 * and asks for a dozen certificates costs one TokenReview, not thirteen. Failures are never cached.
 */
export class ReviewCache {
  readonly #entries = new Map<string, { caller: Caller; until: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get(token: string): Caller | undefined {
    const key = hash(token);
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit.caller;
  }

  /** Keeps `caller` for the TTL, but never past `expiresAtMs` (the token's own expiry) when known. */
  set(token: string, caller: Caller, expiresAtMs?: number): void {
    if (this.#ttlMs <= 0) return;
    const now = this.#now();
    const until = Math.min(now + this.#ttlMs, expiresAtMs ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#evict(now);
    this.#entries.set(hash(token), { caller, until });
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key);
    // Map iteration is insertion order: drop the oldest until there is room.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < MAX_ENTRIES) break;
      this.#entries.delete(key);
    }
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
