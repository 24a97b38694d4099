import { ALL_VERBS, apiVersionOf, compareVersions } from './registry.ts';
import type { ResourceRegistry, ResourceType } from './registry.ts';

/** Kubernetes version the server reports; kubectl prints it and picks behaviour from it. */
export const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-ambient-local', platform: 'linux/amd64' } as const;

/** Groups whose only resources are create-only review/request endpoints, not stored objects. */
const VIRTUAL: Record<string, Record<string, unknown>[]> = {
  'authentication.k8s.io/v1': [{ name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] }],
};

function resourceEntries(t: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: [...ALL_VERBS],
  };
  if (t.shortNames.length > 0) main['shortNames'] = [...t.shortNames];
  if (t.categories.length > 0) main['categories'] = [...t.categories];
  const out = [main];
  if (t.hasStatus) out.push({ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
  if (t.resource === 'serviceaccounts' && t.group === '') {
    out.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  }
  return out;
}

/** Group → versions, stored kinds and the virtual groups together, sorted. */
function allGroups(registry: ResourceRegistry): Map<string, string[]> {
  const groups = registry.groups();
  for (const gv of Object.keys(VIRTUAL)) {
    const [g = '', v = ''] = gv.split('/');
    const versions = groups.get(g) ?? [];
    if (!versions.includes(v)) versions.push(v);
    groups.set(g, versions.sort(compareVersions));
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** Answers of the legacy discovery endpoints, computed from the registry on each request (CRDs come and go). */
export class Discovery {
  readonly #registry: ResourceRegistry;

  constructor(registry: ResourceRegistry) {
    this.#registry = registry;
  }

  /** `/api` */
  apiVersions(serverAddress: string): Record<string, unknown> {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  /** `/apis` */
  apiGroupList(): Record<string, unknown> {
    const groups = [...allGroups(this.#registry).entries()].filter(([g]) => g !== '').map(([g, vs]) => apiGroup(g, vs));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  /** `/apis/<group>`, or undefined when the group is unknown. */
  apiGroup(group: string): Record<string, unknown> | undefined {
    const versions = allGroups(this.#registry).get(group);
    if (!versions || group === '') return undefined;
    return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
  }

  /** `/api/v1` or `/apis/<group>/<version>`, or undefined when that group version is not served. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const gv = apiVersionOf(group, version);
    const stored = this.#registry.inGroupVersion(group, version);
    const virtual = VIRTUAL[gv];
    if (stored.length === 0 && !virtual) return undefined;
    const resources = [...stored.flatMap(resourceEntries), ...(virtual ?? [])];
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  /** `/version` */
  version(): Record<string, unknown> {
    return {
      ...SERVER_VERSION,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2026-01-01T00:00:00Z',
      goVersion: `node ${process.version}`,
      compiler: 'node',
    };
  }
}
