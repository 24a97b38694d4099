// Watches every kind the model needs and hands out the current objects as one snapshot.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '@mesh/common/log';
import { WATCHED_KINDS } from './kinds.ts';
import type { ClusterObjectKey, WatchedKind } from './kinds.ts';
import { KindWatcher } from './kind-watcher.ts';
import type { ChangeListener, KindWatcherState, RetryOptions } from './kind-watcher.ts';

/** The current objects of every watched kind, as plain Kubernetes JSON. */
export type ClusterSnapshot = { readonly [K in ClusterObjectKey]: readonly KubernetesObject[] };

export interface ClusterWatcherOptions {
  readonly kinds?: readonly WatchedKind[];
  readonly retry?: RetryOptions;
}

export class ClusterWatcher {
  readonly #watchers: KindWatcher[];
  readonly #listeners = new Set<ChangeListener>();

  constructor(kc: KubeConfig, logger: Logger, options: ClusterWatcherOptions = {}) {
    const fanOut: ChangeListener = (kind, event, obj) => {
      for (const listener of this.#listeners) listener(kind, event, obj);
    };
    this.#watchers = (options.kinds ?? WATCHED_KINDS).map((kind) => new KindWatcher(kc, kind, fanOut, logger, options.retry));
  }

  /** Calls `listener` on every change of every kind; returns the function that stops it. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    for (const watcher of this.#watchers) watcher.start();
  }

  /** Resolves once every kind has listed (or is known not to be served). */
  async whenSynced(): Promise<void> {
    await Promise.all(this.#watchers.map((w) => w.whenSynced()));
  }

  /** Kinds by state, for /debug and readiness messages. */
  status(): Record<string, KindWatcherState> {
    return Object.fromEntries(this.#watchers.map((w) => [w.kind.kind, w.state]));
  }

  /** Every kind's current objects. Arrays are fresh; the objects are the informers' (do not mutate). */
  snapshot(): ClusterSnapshot {
    const out = {} as Record<ClusterObjectKey, readonly KubernetesObject[]>;
    for (const key of new Set(WATCHED_KINDS.map((k) => k.key))) out[key] = [];
    for (const watcher of this.#watchers) out[watcher.kind.key] = watcher.objects();
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#watchers.map((w) => w.stop()));
  }
}
