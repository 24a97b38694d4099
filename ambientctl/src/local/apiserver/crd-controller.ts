import type { ResourceRegistry } from './registry.ts';
import { typeKeyOf } from './registry.ts';
import type { KubeObject, ObjectStore } from './store.ts';

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; shortNames?: string[]; categories?: string[] };
  versions?: { name?: string; served?: boolean; subresources?: { status?: unknown } }[];
}

/** The kinds a CRD object defines: one per served version. Malformed CRDs define nothing. */
function kindsOf(crd: KubeObject): { group: string; version: string; resource: string; kind: string; namespaced: boolean; singular: string; shortNames: string[]; categories: string[]; hasStatus: boolean }[] {
  const spec = (crd['spec'] ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  return (spec.versions ?? [])
    .filter((v) => v.name && v.served !== false)
    .map((v) => ({
      group: spec.group ?? '',
      version: v.name ?? '',
      resource: names.plural ?? '',
      kind: names.kind ?? '',
      namespaced: spec.scope !== 'Cluster',
      singular: names.singular ?? (names.kind ?? '').toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      hasStatus: v.subresources?.status !== undefined,
    }));
}

/**
 * Serves the kinds of CustomResourceDefinition objects: registers them when a CRD is stored, drops them (and
 * their objects) when it is deleted. Runs synchronously on store events, so a kind is usable as soon as the
 * create of its CRD has been answered.
 */
export class CrdController {
  readonly #unsubscribe: () => void;

  constructor(store: ObjectStore, registry: ResourceRegistry) {
    for (const crd of store.list(CRD_KEY)) for (const k of kindsOf(crd)) registry.register({ ...k, custom: true });
    this.#unsubscribe = store.subscribe((e) => {
      if (e.typeKey !== CRD_KEY) return;
      const before = e.prev ? kindsOf(e.prev) : [];
      const after = e.type === 'DELETED' ? [] : kindsOf(e.object);
      for (const k of before) {
        if (!after.some((a) => a.version === k.version && a.resource === k.resource)) registry.unregister(k.group, k.version, k.resource);
      }
      for (const k of after) registry.register({ ...k, custom: true });
      if (e.type === 'DELETED' && before[0]) {
        const key = typeKeyOf(before[0]);
        for (const o of store.list(key)) store.remove(key, o.metadata.namespace, o.metadata.name ?? '');
      }
    });
  }

  close(): void {
    this.#unsubscribe();
  }
}
