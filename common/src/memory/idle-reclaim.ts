// Reclaims memory when a proxy has gone quiet after using more than it did: every interval it compares its
// resident memory with what the last reclaim left, and the event loop's busy share over the interval with a bound. The
// reclaim's pause (see reclaim.ts) then costs no request anything, and a steadily loaded proxy, whose
// collector keeps up on its own, is left alone. It waits for several idle looks in a row: the next burst
// after a reclaim starts on a shrunk heap and empty malloc arenas and pays for regrowing them (measured: bulk
// rounds 5 s apart ran at 8.2-11.2 ms of CPU per MB with a reclaim before each, 5.7-8.7 without), so short
// gaps between bursts are not worth it.
import { reclaimMemory } from './reclaim.ts';
import type { ReclaimResult } from './reclaim.ts';

export interface IdleReclaimOptions {
  /** How often to look. */
  readonly intervalMs: number;
  /** Growth of resident memory over the last reclaim's result that is worth a pause. */
  readonly minGrowthBytes: number;
  /** The event loop's busy share over an interval at or under which the process is idle. */
  readonly maxBusyFraction: number;
  /** Consecutive idle looks (each with the growth) before a reclaim. */
  readonly idleLooks: number;
  readonly onReclaim?: (result: ReclaimResult) => void;
  /** Told when a timed look fails; the reclaimer then stops (the process carries on). */
  readonly onError?: (err: unknown) => void;
}

/** What one look sees. */
export interface ReclaimInputs {
  readonly residentBytes: number;
  /** The resident memory the last reclaim left (or the first look's). */
  readonly baselineBytes: number;
  readonly busyFraction: number;
}

/** Whether to reclaim now: idle, and grown by at least minGrowthBytes. */
export function shouldReclaim(s: ReclaimInputs, opts: Pick<IdleReclaimOptions, 'minGrowthBytes' | 'maxBusyFraction'>): boolean {
  return s.busyFraction <= opts.maxBusyFraction && s.residentBytes - s.baselineBytes >= opts.minGrowthBytes;
}

/** Where the readings come from (tests pass their own). */
export interface ReclaimProbes {
  residentBytes(): number;
  /** The event loop's busy share since the previous call (the first call: since start). */
  busyFraction(): number;
  reclaim(): ReclaimResult;
}

function processProbes(): ReclaimProbes {
  let last = performance.eventLoopUtilization();
  return {
    residentBytes: () => process.memoryUsage.rss(),
    busyFraction: () => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    reclaim: reclaimMemory,
  };
}

/** The reclaimer: `check()` is one look (the timer calls it); `stop()` ends it. */
export class IdleReclaimer {
  readonly #opts: IdleReclaimOptions;
  readonly #probes: ReclaimProbes;
  #baseline: number;
  /** Consecutive looks so far that found the process idle and grown. */
  #streak = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: IdleReclaimOptions, probes: ReclaimProbes = processProbes()) {
    this.#opts = opts;
    this.#probes = probes;
    this.#baseline = probes.residentBytes();
  }

  /** Starts looking every intervalMs; the timer never keeps the process alive. */
  start(): this {
    this.#timer ??= setInterval(() => {
      try {
        this.check();
      } catch (err) {
        this.stop();
        this.#opts.onError?.(err);
      }
    }, this.#opts.intervalMs).unref();
    return this;
  }

  /** One look: reclaims when shouldReclaim said so for idleLooks looks in a row; returns what the reclaim did. */
  check(): ReclaimResult | undefined {
    const inputs = { residentBytes: this.#probes.residentBytes(), baselineBytes: this.#baseline, busyFraction: this.#probes.busyFraction() };
    this.#streak = shouldReclaim(inputs, this.#opts) ? this.#streak + 1 : 0;
    if (this.#streak < this.#opts.idleLooks) return undefined;
    return this.reclaimNow();
  }

  /** Reclaims at once (e.g. once start-up is over) and takes the result as the new baseline. */
  reclaimNow(): ReclaimResult {
    const result = this.#probes.reclaim();
    this.#baseline = result.rssAfter;
    this.#streak = 0;
    this.#opts.onReclaim?.(result);
    return result;
  }

  /** Takes the memory resident now as the baseline: after memory went back outside reclaim (file pages). */
  rebase(): void {
    this.#baseline = this.#probes.residentBytes();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
