// One kind's informer (client-node's list + watch cache) kept alive: client-node stops an informer for good
// on the first list or watch error, so this restarts it with backoff. A kind whose API is not served (a CRD
// that is not installed) counts as synced-and-empty, so istiod becomes ready, and keeps being retried.
import { makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '@mesh/common/log';
import { errorMessage, hasCode } from '@mesh/common/errors';
import type { WatchedKind } from './kinds.ts';
import { listRaw } from './raw-list.ts';

export type ChangeEventType = 'add' | 'update' | 'delete';

/** Called for every add, update and delete the informer sees. */
export type ChangeListener = (kind: WatchedKind, event: ChangeEventType, obj: KubernetesObject) => void;

export type KindWatcherState = 'pending' | 'synced' | 'not-served';

/** Restart delays after an error, doubling from `initialMs` to `maxMs`. */
export interface RetryOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

const DEFAULT_RETRY: RetryOptions = { initialMs: 500, maxMs: 30_000 };

export class KindWatcher {
  readonly kind: WatchedKind;
  readonly #informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  readonly #logger: Logger;
  readonly #retry: RetryOptions;
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};
  #state: KindWatcherState = 'pending';
  #delayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(kc: KubeConfig, kind: WatchedKind, onChange: ChangeListener, logger: Logger, retry: RetryOptions = DEFAULT_RETRY) {
    this.kind = kind;
    this.#logger = logger;
    this.#retry = retry;
    this.#delayMs = retry.initialMs;
    this.#synced = new Promise((resolve) => (this.#resolveSynced = resolve));
    this.#informer = makeInformer<KubernetesObject>(kc, kind.path, () => this.#list(kc));
    for (const event of ['add', 'update', 'delete'] as const) {
      this.#informer.on(event, (obj) => {
        this.#delayMs = this.#retry.initialMs; // the watch works again: the next failure starts the backoff over
        onChange(kind, event, obj);
      });
    }
    this.#informer.on('error', (err: unknown) => this.#onError(err));
  }

  /** Starts listing and watching (returns at once; see whenSynced). */
  start(): void {
    this.#stopped = false;
    this.#run();
  }

  /** Resolves after the first successful list (or when the API turns out not to be served). */
  whenSynced(): Promise<void> {
    return this.#synced;
  }

  get state(): KindWatcherState {
    return this.#state;
  }

  /** The cached objects. */
  objects(): readonly KubernetesObject[] {
    return this.#informer.list();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#informer.stop();
  }

  async #list(kc: KubeConfig): ReturnType<typeof listRaw> {
    const list = await listRaw(kc, this.kind.path);
    if (this.#state !== 'synced') this.#logger.debug({ kind: this.kind.kind, items: list.items.length }, 'kind listed');
    this.#state = 'synced';
    this.#delayMs = this.#retry.initialMs;
    this.#resolveSynced();
    return list;
  }

  #run(): void {
    this.#informer.start().catch((err: unknown) => this.#onError(err));
  }

  #onError(err: unknown): void {
    if (this.#stopped) return; // stop() aborts the watch, which client-node reports as an error
    if (hasCode(err, 'ERR_KUBE_NOT_SERVED') && this.kind.optional && this.#state !== 'synced') {
      if (this.#state === 'pending') {
        this.#logger.warn({ kind: this.kind.kind, path: this.kind.path }, 'API not served; running without this kind, retrying in the background');
      }
      this.#state = 'not-served';
      this.#resolveSynced();
    } else {
      this.#logger.warn({ kind: this.kind.kind, retryMs: this.#delayMs }, `watch failed: ${errorMessage(err)}`);
    }
    if (this.#timer !== null) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#retry.maxMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) this.#run();
    }, delay);
  }
}
