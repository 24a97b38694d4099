import { nowTimestamp } from './object-meta.ts';
import type { KubeObject, ObjectStore } from './store.ts';

const NAMESPACES = '/namespaces';

/**
 * Deletion as a real server does it: an object with finalizers is only marked (`deletionTimestamp`) and goes
 * once its last finalizer is removed; deleting a namespace deletes its content first and the namespace goes
 * (from `Terminating`) when it is empty. The namespace controller's work is done here, synchronously.
 */
export class Deleter {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** Deletes or marks one object; returns its state afterwards. */
  delete(typeKey: string, obj: KubeObject): KubeObject {
    if (typeKey === NAMESPACES) return this.#deleteNamespace(obj);
    const meta = obj.metadata;
    if ((meta.finalizers ?? []).length > 0) {
      if (meta.deletionTimestamp) return obj;
      return this.#store.put(typeKey, { ...obj, metadata: { ...meta, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 } });
    }
    const removed = this.#store.remove(typeKey, meta.namespace, meta.name ?? '') ?? obj;
    if (meta.namespace) this.#finishNamespace(meta.namespace);
    return removed;
  }

  /** Called when an update took the last finalizer off an object being deleted: it goes now, in that state. */
  finish(typeKey: string, next: KubeObject): KubeObject {
    if (typeKey === NAMESPACES) {
      const stored = this.#store.put(typeKey, next);
      return this.#finishNamespace(next.metadata.name ?? '') ?? stored;
    }
    const meta = next.metadata;
    const removed = this.#store.remove(typeKey, meta.namespace, meta.name ?? '', next) ?? next;
    if (meta.namespace) this.#finishNamespace(meta.namespace);
    return removed;
  }

  #deleteNamespace(ns: KubeObject): KubeObject {
    const name = ns.metadata.name ?? '';
    let current = ns;
    if (!ns.metadata.deletionTimestamp) {
      current = this.#store.put(NAMESPACES, {
        ...ns,
        metadata: { ...ns.metadata, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 },
        status: { phase: 'Terminating' },
      });
    }
    for (const typeKey of this.#store.typeKeys()) {
      if (typeKey === NAMESPACES) continue;
      for (const o of this.#store.list(typeKey, name)) this.delete(typeKey, o);
    }
    return this.#finishNamespace(name) ?? current;
  }

  /** Removes a terminating namespace once nothing is left in it and no finalizer holds it. */
  #finishNamespace(name: string): KubeObject | undefined {
    const ns = this.#store.get(NAMESPACES, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return undefined;
    if ((ns.metadata.finalizers ?? []).length > 0) return undefined;
    if (this.#store.countInNamespace(name) > 0) return undefined;
    return this.#store.remove(NAMESPACES, undefined, name);
  }
}
