// Startup readiness (ztunnel's readiness.rs): components register named tasks while starting (e.g. "xds",
// "certificates", "proxy listeners") and mark them done; the process is ready when none are pending.

/** A handle on one registered task. done() is idempotent. */
export interface ReadyTask {
  readonly name: string;
  done(): void;
}

/** The set of startup tasks the readiness probe waits for. */
export class Readiness {
  readonly #pending = new Set<ReadyTask>();
  readonly #waiters: (() => void)[] = [];

  /** Registers a pending task; register every task before serving the probe so it cannot report early. */
  register(name: string): ReadyTask {
    const task: ReadyTask = {
      name,
      done: () => {
        if (!this.#pending.delete(task)) return;
        if (this.#pending.size === 0) this.#wake();
      },
    };
    this.#pending.add(task);
    return task;
  }

  /** True when every registered task is done. */
  isReady(): boolean {
    return this.#pending.size === 0;
  }

  /** The names of tasks not yet done, in registration order. */
  pending(): string[] {
    return [...this.#pending].map((t) => t.name);
  }

  /** Resolves once ready (immediately if already ready). */
  whenReady(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
