import type { Deleter } from './deletion.ts';
import type { ObjectStore, StoreEvent } from './store.ts';

interface Dependent {
  readonly typeKey: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

function ownerUids(e: StoreEvent['object']): string[] {
  const refs = e.metadata['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  return refs.map((r: { uid?: unknown }) => r.uid).filter((u): u is string => typeof u === 'string');
}

/**
 * Background cascading deletion, as Kubernetes' garbage collector does it: when an object goes, objects whose
 * `ownerReferences` name its uid are deleted too (finalizers honoured). Runs just after the deleting request,
 * not inside it, so watchers see the owner's DELETED first.
 */
export class GarbageCollector {
  /** owner uid → dependents that name it. */
  readonly #dependents = new Map<string, Map<string, Dependent>>();
  readonly #unsubscribe: () => void;
  readonly #pending: string[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(store: ObjectStore, deleter: Deleter) {
    for (const typeKey of store.typeKeys()) for (const o of store.list(typeKey)) this.#index(typeKey, o, undefined);
    this.#unsubscribe = store.subscribe((e) => {
      if (e.type === 'DELETED') {
        this.#index(e.typeKey, undefined, e.prev);
        if (e.object.metadata.uid && this.#dependents.has(e.object.metadata.uid)) {
          this.#pending.push(e.object.metadata.uid);
          this.#scheduled ??= setImmediate(() => this.#collect(store, deleter));
        }
      } else {
        this.#index(e.typeKey, e.object, e.prev);
      }
    });
  }

  close(): void {
    this.#unsubscribe();
    if (this.#scheduled) clearImmediate(this.#scheduled);
  }

  #index(typeKey: string, now: StoreEvent['object'] | undefined, before: StoreEvent['object'] | undefined): void {
    const ref = (o: StoreEvent['object']): [string, Dependent] => {
      const d = { typeKey, namespace: o.metadata.namespace, name: o.metadata.name ?? '' };
      return [`${typeKey}/${d.namespace ?? ''}/${d.name}`, d];
    };
    if (before) {
      const [key] = ref(before);
      for (const uid of ownerUids(before)) {
        const m = this.#dependents.get(uid);
        m?.delete(key);
        if (m?.size === 0) this.#dependents.delete(uid);
      }
    }
    if (now) {
      const [key, d] = ref(now);
      for (const uid of ownerUids(now)) {
        let m = this.#dependents.get(uid);
        if (!m) this.#dependents.set(uid, (m = new Map()));
        m.set(key, d);
      }
    }
  }

  #collect(store: ObjectStore, deleter: Deleter): void {
    this.#scheduled = undefined;
    while (this.#pending.length > 0) {
      const uid = this.#pending.shift() ?? '';
      const deps = [...(this.#dependents.get(uid)?.values() ?? [])];
      this.#dependents.delete(uid);
      for (const d of deps) {
        const obj = store.get(d.typeKey, d.namespace, d.name);
        if (obj && ownerUids(obj).includes(uid)) deleter.delete(d.typeKey, obj);
      }
    }
  }
}
