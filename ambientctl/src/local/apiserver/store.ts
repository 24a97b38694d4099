/** Object metadata fields the server reads and manages. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [k: string]: unknown;
}

/** A stored object: any JSON object with `metadata`. Stored objects are never mutated in place. */
export type KubeObject = { metadata: ObjectMeta; [k: string]: unknown };

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change to one object. `prev` is the object before a MODIFIED or DELETED change (for selector transitions). */
export interface StoreEvent {
  readonly type: EventType;
  readonly rv: number;
  /** `group/resource`: all versions of a kind share one storage key. */
  readonly typeKey: string;
  readonly object: KubeObject;
  readonly prev: KubeObject | undefined;
}

/** What the store can be restored from (persistence) and saved as. */
export interface StoreSnapshot {
  readonly resourceVersion: number;
  readonly objects: Record<string, KubeObject[]>;
}

/** Thrown by `eventsSince` when the asked-for version is older than the retained history. */
export class TooOldError extends Error {
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.oldest = oldest;
  }
}

export interface ObjectStoreOptions {
  /** How many events are kept for watches that resume from a resourceVersion; older versions get 410. */
  readonly historyLimit: number;
}

function keyOf(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

/**
 * All objects, keyed by type then `namespace/name`, with one global resourceVersion counter and a bounded
 * history of events. It is the only writer of objects; callers decide what to write (see ResourceHandler).
 */
export class ObjectStore {
  readonly #types = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<(e: StoreEvent) => void>();
  readonly #historyLimit: number;
  #rv = 1;
  /** Every event with rv > #compactedRv is still in #history. */
  #compactedRv = 1;

  constructor(options: ObjectStoreOptions, snapshot?: StoreSnapshot) {
    this.#historyLimit = Math.max(1, options.historyLimit);
    if (snapshot) {
      this.#rv = snapshot.resourceVersion;
      this.#compactedRv = snapshot.resourceVersion;
      for (const [typeKey, objects] of Object.entries(snapshot.objects)) {
        const m = new Map<string, KubeObject>();
        for (const o of objects) m.set(keyOf(o.metadata.namespace, o.metadata.name ?? ''), o);
        this.#types.set(typeKey, m);
      }
    }
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  get(typeKey: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.#types.get(typeKey)?.get(keyOf(ns, name));
  }

  /** Objects of a type, optionally in one namespace, sorted by namespace/name (the order `continue` relies on). */
  list(typeKey: string, ns?: string): KubeObject[] {
    const m = this.#types.get(typeKey);
    if (!m) return [];
    const out: [string, KubeObject][] = [];
    for (const [k, o] of m) {
      if (ns === undefined || o.metadata.namespace === ns) out.push([k, o]);
    }
    out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return out.map(([, o]) => o);
  }

  /** Number of objects of a type in a namespace (used to finish deleting a namespace). */
  countInNamespace(ns: string): number {
    let n = 0;
    for (const m of this.#types.values()) for (const o of m.values()) if (o.metadata.namespace === ns) n++;
    return n;
  }

  typeKeys(): string[] {
    return [...this.#types.keys()];
  }

  /** Stores a new version of an object, stamping the next resourceVersion. Returns the stored object. */
  put(typeKey: string, obj: KubeObject): KubeObject {
    const rv = ++this.#rv;
    const stored: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    let m = this.#types.get(typeKey);
    if (!m) {
      m = new Map();
      this.#types.set(typeKey, m);
    }
    const key = keyOf(stored.metadata.namespace, stored.metadata.name ?? '');
    const prev = m.get(key);
    m.set(key, stored);
    this.#emit({ type: prev ? 'MODIFIED' : 'ADDED', rv, typeKey, object: stored, prev });
    return stored;
  }

  /**
   * Removes an object; the DELETED event carries it (or `final`, its last state when an update caused the
   * removal) with a new resourceVersion, as a real server does.
   */
  remove(typeKey: string, ns: string | undefined, name: string, final?: KubeObject): KubeObject | undefined {
    const m = this.#types.get(typeKey);
    const key = keyOf(ns, name);
    const prev = m?.get(key);
    if (!m || !prev) return undefined;
    m.delete(key);
    const rv = ++this.#rv;
    const last = final ?? prev;
    const object: KubeObject = { ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } };
    this.#emit({ type: 'DELETED', rv, typeKey, object, prev });
    return object;
  }

  /** Events of a type after `rv`, oldest first; throws TooOldError when some of them are no longer kept. */
  eventsSince(typeKey: string, rv: number): StoreEvent[] {
    if (rv < this.#compactedRv) throw new TooOldError(rv, this.#compactedRv + 1);
    // History is ordered by rv, so a binary search finds the first event to send.
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#history[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.#history.slice(lo).filter((e) => e.typeKey === typeKey);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): StoreSnapshot {
    const objects: Record<string, KubeObject[]> = {};
    for (const [typeKey, m] of this.#types) objects[typeKey] = [...m.values()];
    return { resourceVersion: this.#rv, objects };
  }

  #emit(e: StoreEvent): void {
    this.#history.push(e);
    // Trim in batches so a full history does not cost an array shift per event.
    if (this.#history.length > this.#historyLimit + Math.max(1, Math.floor(this.#historyLimit / 10))) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#compactedRv = dropped[dropped.length - 1]?.rv ?? this.#compactedRv;
    }
    for (const l of this.#listeners) {
      // A failing listener (a watch whose client vanished) must not fail the write or starve other listeners.
      try {
        l(e);
      } catch {
        // the listener's own cleanup handles its failure
      }
    }
  }
}
