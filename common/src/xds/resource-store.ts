import type { AnyMessage } from '../proto/index.ts';

/** One resource as the server holds it. `version` decides "changed": same version, nothing is pushed. */
export interface StoredResource {
  version: string;
  resource: AnyMessage;
  /** Other names the resource answers to (delta only, e.g. `<network>/<ip>` for an Address). */
  aliases?: readonly string[];
}

/** What changed in one type by one store operation. */
export interface StoreChange {
  typeUrl: string;
  /** Names added or given a new version. */
  changed: readonly string[];
  /** Names that no longer exist. */
  removed: readonly string[];
}

export type StoreListener = (change: StoreChange) => void;

/**
 * The resources an xDS server serves, per type URL. The owner (istiod's generators, a test) is its only writer;
 * every write that changes something bumps the type's version and tells the listeners which names changed, so
 * streams can push just those.
 */
export class ResourceStore {
  private readonly types = new Map<string, Map<string, StoredResource>>();
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Set<StoreListener>();

  /** Replaces the whole set of one type; only names whose version differs count as changed. */
  setResources(typeUrl: string, resources: ReadonlyMap<string, StoredResource>): StoreChange {
    const current = this.typeMap(typeUrl);
    const changed: string[] = [];
    const removed: string[] = [];
    for (const name of current.keys()) {
      if (!resources.has(name)) removed.push(name);
    }
    for (const [name, entry] of resources) {
      if (current.get(name)?.version !== entry.version) changed.push(name);
    }
    for (const name of removed) current.delete(name);
    for (const name of changed) current.set(name, freeze(resources.get(name) as StoredResource));
    return this.publish({ typeUrl, changed, removed });
  }

  /** Adds or replaces one resource (no change if the version is the same). */
  upsert(typeUrl: string, name: string, entry: StoredResource): StoreChange {
    const current = this.typeMap(typeUrl);
    const changed = current.get(name)?.version === entry.version ? [] : [name];
    if (changed.length > 0) current.set(name, freeze(entry));
    return this.publish({ typeUrl, changed, removed: [] });
  }

  /** Removes one resource (no change if it was not there). */
  remove(typeUrl: string, name: string): StoreChange {
    const removed = this.typeMap(typeUrl).delete(name) ? [name] : [];
    return this.publish({ typeUrl, changed: [], removed });
  }

  /** The resources of one type (empty for a type never set). */
  get(typeUrl: string): ReadonlyMap<string, StoredResource> {
    return this.types.get(typeUrl) ?? new Map();
  }

  /** Type URLs that have ever been written. */
  typeUrls(): string[] {
    return [...this.types.keys()];
  }

  /** A counter bumped by every change of the type: the SotW `version_info` and delta `system_version_info`. */
  version(typeUrl: string): string {
    return String(this.versions.get(typeUrl) ?? 0);
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private typeMap(typeUrl: string): Map<string, StoredResource> {
    let map = this.types.get(typeUrl);
    if (map === undefined) {
      map = new Map();
      this.types.set(typeUrl, map);
    }
    return map;
  }

  private publish(change: StoreChange): StoreChange {
    if (change.changed.length === 0 && change.removed.length === 0) return change;
    this.versions.set(change.typeUrl, (this.versions.get(change.typeUrl) ?? 0) + 1);
    for (const listener of this.listeners) listener(change);
    return change;
  }
}

function freeze(entry: StoredResource): StoredResource {
  return Object.freeze({ ...entry });
}
