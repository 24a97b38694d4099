// client-node's ListWatch stops for good on its first list or watch error; this keeps one alive, restarting it
// with backoff, and reports the first successful list.
import { ListWatch, Watch, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';

export type WatchEvent = 'add' | 'update' | 'delete';

export interface RestartingWatchOptions<T extends KubernetesObject> {
  readonly kc: KubeConfig;
  /** Watch path, e.g. `/api/v1/namespaces`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly fieldSelector?: string;
  readonly onEvent: (event: WatchEvent, obj: T) => void;
  readonly logger: Logger;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

export class RestartingWatch<T extends KubernetesObject> {
  readonly #lw: ListWatch<T>;
  readonly #options: RestartingWatchOptions<T>;
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(options: RestartingWatchOptions<T>) {
    this.#options = options;
    this.#delayMs = options.initialRetryMs ?? 500;
    this.#synced = new Promise((resolve) => (this.#resolveSynced = resolve));
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      this.#delayMs = options.initialRetryMs ?? 500;
      // Resolve after the informer has applied the list (its add events run right after this returns).
      setImmediate(this.#resolveSynced);
      return result;
    };
    this.#lw = new ListWatch<T>(options.path, new Watch(options.kc), list, false, undefined, options.fieldSelector);
    for (const event of ['add', 'update', 'delete'] as const) this.#lw.on(event, (obj) => options.onEvent(event, obj));
    this.#lw.on('error', (err) => this.#onError(err));
  }

  start(): void {
    this.#stopped = false;
    this.#lw.start().catch((err: unknown) => this.#onError(err));
  }

  whenSynced(): Promise<void> {
    return this.#synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace);
  }

  list(): readonly T[] {
    return this.#lw.list();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#lw.stop();
  }

  #onError(err: unknown): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(delay * 2, this.#options.maxRetryMs ?? 30_000);
    this.#options.logger.warn({ path: this.#options.path, retryMs: delay }, `watch failed: ${errorMessage(err)}`);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.start();
    }, delay);
  }
}
