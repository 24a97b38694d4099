// Graceful shutdown (ztunnel's drain.rs): one trigger, many participants. start() aborts `signal` and asks
// each participant to finish; after the deadline, the ones still running are forced. The result says which
// finished, which were forced and which failed, so shutdown logs can name the stragglers.

/** Something that must stop on drain: a listener, a connection, an xDS stream. */
export interface DrainParticipant {
  /** Finish gracefully (stop accepting, let in-flight work end); resolve when done. */
  graceful(signal: AbortSignal): Promise<void>;
  /** Stop now; called after the deadline if graceful() has not resolved. Must not throw, but may. */
  force(): void;
}

/** The outcome of a drain. Names are participant names, in registration order. */
export interface DrainResult {
  readonly reason: string;
  /** graceful() resolved before the deadline. */
  readonly completed: readonly string[];
  /** Still running at the deadline; force() was called. */
  readonly forced: readonly string[];
  /** graceful() rejected (then force() was called) or force() threw. */
  readonly failed: readonly { readonly name: string; readonly error: string }[];
}

/** Options for Drain. */
export interface DrainOptions {
  /** How long participants get to finish before they are forced (ztunnel's drain deadline). */
  readonly deadlineMs: number;
}

interface Entry {
  readonly name: string;
  readonly participant: DrainParticipant;
}

/** A drain trigger plus its participants. start() is idempotent: every call returns the same result. */
export class Drain {
  readonly deadlineMs: number;
  readonly #controller = new AbortController();
  readonly #entries = new Set<Entry>();
  readonly #inflight = new Set<Entry>();
  readonly #completed: string[] = [];
  readonly #forced: string[] = [];
  readonly #failed: { name: string; error: string }[] = [];
  #result: Promise<DrainResult> | undefined;
  #finish: (() => void) | undefined;

  constructor(options: DrainOptions) {
    if (!Number.isFinite(options.deadlineMs) || options.deadlineMs < 0) {
      throw new RangeError(`drain deadlineMs must be a finite number >= 0, got ${options.deadlineMs}`);
    }
    this.deadlineMs = options.deadlineMs;
  }

  /** Aborted when the drain starts; its reason is the drain reason. Long-lived loops watch it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether start() has been called. */
  get started(): boolean {
    return this.#result !== undefined;
  }

  /**
   * Adds a participant; returns a function that removes it (call it when the participant ends on its own).
   * A participant added while a drain is running joins it; one added after the drain finished is forced
   * at once, since nobody would wait for it.
   */
  register(name: string, participant: DrainParticipant): () => void {
    const entry: Entry = { name, participant };
    if (this.#result === undefined) this.#entries.add(entry);
    else if (this.#finish === undefined) this.#force(entry);
    else this.#launch(entry);
    return () => this.#remove(entry);
  }

  /** Starts draining (once) and resolves when every participant finished or was forced. */
  start(reason: string): Promise<DrainResult> {
    if (this.#result) return this.#result;
    this.#result = new Promise<DrainResult>((resolve) => {
      const timer = setTimeout(() => {
        for (const entry of this.#inflight) this.#force(entry);
        this.#inflight.clear();
        done();
      }, this.deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#finish = undefined;
        resolve({
          reason,
          completed: [...this.#completed],
          forced: [...this.#forced],
          failed: [...this.#failed],
        });
      };
      this.#finish = done;
    });
    this.#controller.abort(reason);
    for (const entry of this.#entries) this.#launch(entry);
    this.#entries.clear();
    this.#checkDone();
    return this.#result;
  }

  #launch(entry: Entry): void {
    this.#inflight.add(entry);
    let pending: Promise<void>;
    try {
      pending = Promise.resolve(entry.participant.graceful(this.signal));
    } catch (err) {
      pending = Promise.reject(err as Error);
    }
    pending.then(
      () => {
        if (this.#inflight.has(entry)) this.#completed.push(entry.name);
        this.#settle(entry);
      },
      (err: unknown) => {
        if (this.#inflight.has(entry)) {
          this.#failed.push({ name: entry.name, error: err instanceof Error ? err.message : String(err) });
          this.#callForce(entry, false);
        }
        this.#settle(entry);
      },
    );
  }

  /** The participant ended on its own: before a drain it is dropped, during one it counts as completed. */
  #remove(entry: Entry): void {
    this.#entries.delete(entry);
    if (this.#inflight.has(entry)) {
      this.#completed.push(entry.name);
      this.#settle(entry);
    }
  }

  /** Stop waiting for the participant. */
  #settle(entry: Entry): void {
    if (this.#inflight.delete(entry)) this.#checkDone();
  }

  #checkDone(): void {
    if (this.#inflight.size === 0) this.#finish?.();
  }

  #force(entry: Entry): void {
    this.#forced.push(entry.name);
    this.#callForce(entry, true);
  }

  #callForce(entry: Entry, record: boolean): void {
    try {
      entry.participant.force();
    } catch (err) {
      if (record) this.#failed.push({ name: entry.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
