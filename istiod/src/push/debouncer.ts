// Pilot's push debounce: wait until changes have been quiet for `afterMs`, but never delay the first change of
// a burst more than `maxMs`. Runs never overlap: changes during a run schedule one more run after it.

export interface DebounceOptions {
  readonly afterMs: number;
  readonly maxMs: number;
  /** Clock in ms; tests inject one. */
  readonly now?: () => number;
}

/** Runs `fn` debounced; `fn` gets how long the oldest pending change waited (pilot_debounce_time). */
export class Debouncer {
  readonly #fn: (waitedMs: number, events: number) => Promise<void>;
  readonly #afterMs: number;
  readonly #maxMs: number;
  readonly #now: () => number;
  #firstAt: number | null = null;
  #lastAt = 0;
  #events = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(options: DebounceOptions, fn: (waitedMs: number, events: number) => Promise<void>) {
    this.#fn = fn;
    this.#afterMs = options.afterMs;
    this.#maxMs = Math.max(options.maxMs, options.afterMs);
    this.#now = options.now ?? Date.now;
  }

  /** Records one change. */
  trigger(): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#firstAt ??= now;
    this.#lastAt = now;
    this.#events++;
    if (this.#running === null) this.#schedule();
  }

  /** Stops scheduling; resolves when a running push has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const first = this.#firstAt;
    if (first === null || this.#closed) return;
    const now = this.#now();
    const due = Math.min(this.#lastAt + this.#afterMs, first + this.#maxMs);
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - now));
  }

  #fire(): void {
    this.#timer = null;
    const first = this.#firstAt;
    if (first === null || this.#closed) return;
    const waited = this.#now() - first;
    const events = this.#events;
    this.#firstAt = null;
    this.#events = 0;
    this.#running = this.#fn(waited, events)
      .catch(() => {}) // the push reports its own failures
      .finally(() => {
        this.#running = null;
        if (this.#firstAt !== null) this.#schedule();
      });
  }
}
