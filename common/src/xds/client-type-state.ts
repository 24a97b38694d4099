import { errorMessage } from '../errors.ts';
import type { WatchCallbacks, XdsResourceType } from './resource-type.ts';
import type { XdsLogger } from './xds-logger.ts';

/** One accepted resource on the client: the last good value and the version it came with. */
export interface CachedResource<T> {
  version: string;
  value: T;
  /** The encoded bytes, so a SotW re-send of an identical resource is not reported as a change. */
  raw: Uint8Array;
}

export const WILDCARD = '*';

/**
 * A client's state for one type, independent of streams: the accepted resources, the watchers, and the
 * readiness promise. Survives reconnects, which is what lets a delta client send `initial_resource_versions`.
 */
export class ClientTypeState<T> {
  readonly type: XdsResourceType<T>;
  readonly entries = new Map<string, CachedResource<T>>();
  /** SotW: `version_info` of the last response applied without errors (sent back on NACK and reconnect). */
  acceptedVersion = '';
  private readonly watchers = new Map<string, Set<WatchCallbacks<T>>>();
  private readonly logger: XdsLogger;
  private responded = false;
  private readonly firstResponse: Promise<void>;
  private resolveFirstResponse: () => void = () => {};

  constructor(type: XdsResourceType<T>, logger: XdsLogger) {
    this.type = type;
    this.logger = logger;
    this.firstResponse = new Promise((resolve) => {
      this.resolveFirstResponse = resolve;
    });
  }

  get wildcard(): boolean {
    return this.watchers.has(WILDCARD);
  }

  get watched(): boolean {
    return this.watchers.size > 0;
  }

  /** Names watched explicitly (not the wildcard). */
  names(): string[] {
    return [...this.watchers.keys()].filter((name) => name !== WILDCARD);
  }

  /** The subscription a stream should hold: '*' and/or names. */
  desired(): Set<string> {
    return new Set(this.watchers.keys());
  }

  inScope(name: string): boolean {
    return this.wildcard || this.watchers.has(name);
  }

  /** Adds a watcher; what is already cached is delivered on a microtask. Returns the remover. */
  addWatcher(name: string, callbacks: WatchCallbacks<T>): () => void {
    let set = this.watchers.get(name);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(name, set);
    }
    set.add(callbacks);
    const existing = [...this.entries].filter(([entryName]) => name === WILDCARD || entryName === name);
    queueMicrotask(() => {
      for (const [entryName, entry] of existing) {
        if (set.has(callbacks)) this.call(() => callbacks.onChange(entryName, entry.value), entryName);
      }
    });
    return () => {
      set.delete(callbacks);
      if (set.size === 0) this.watchers.delete(name);
      // Nobody wants what is now out of scope: forget it, as Envoy does on unsubscribe.
      for (const cached of [...this.entries.keys()]) if (!this.inScope(cached)) this.entries.delete(cached);
    };
  }

  /** Records an accepted resource and tells its watchers (unless the bytes are unchanged). */
  upsert(name: string, version: string, value: T, raw: Uint8Array): void {
    const previous = this.entries.get(name);
    this.entries.set(name, { version, value, raw });
    if (previous !== undefined && Buffer.from(previous.raw).equals(raw)) return;
    for (const callbacks of this.watchersOf(name)) this.call(() => callbacks.onChange(name, value), name);
  }

  /** Forgets a resource and tells its watchers (nothing if it was not held). */
  remove(name: string): void {
    if (!this.entries.delete(name)) return;
    for (const callbacks of this.watchersOf(name)) this.call(() => callbacks.onRemove(name), name);
  }

  /** Called after each response is answered (ACK or NACK: the good resources of a NACKed one are applied). */
  markResponded(): void {
    if (this.responded) return;
    this.responded = true;
    this.resolveFirstResponse();
  }

  ready(): Promise<void> {
    return this.firstResponse;
  }

  private watchersOf(name: string): WatchCallbacks<T>[] {
    return [...(this.watchers.get(name) ?? []), ...(this.watchers.get(WILDCARD) ?? [])];
  }

  private call(fn: () => void, name: string): void {
    try {
      fn();
    } catch (err) {
      // A faulty watcher must not stop the others or the stream.
      this.logger.warn({ typeUrl: this.type.typeUrl, name }, `xDS watcher threw: ${errorMessage(err)}`);
    }
  }
}
