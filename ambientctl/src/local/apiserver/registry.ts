/** The verbs every stored kind supports; discovery lists them so `kubectl api-resources` can print them. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** One kind the server stores and serves under `/api/<v>` or `/apis/<group>/<v>`. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: the URL segment. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Has a `status` subresource: main-resource writes keep the stored status, `/status` writes change only status. */
  readonly hasStatus: boolean;
  /** Served from a CustomResourceDefinition (or a built-in CRD kind): strategic merge patch is refused. */
  readonly custom: boolean;
}

/** What `registerKind` needs; the rest is derived (singular from kind, no short names or categories). */
export type ResourceTypeInput = Pick<ResourceType, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'> &
  Partial<Pick<ResourceType, 'singular' | 'shortNames' | 'categories' | 'hasStatus' | 'custom'>>;

/** `group/version`, or just `version` for the core group, as in an object's `apiVersion`. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The storage key of a type: versions of one kind share storage, as CRD versions do without conversion. */
export function typeKeyOf(type: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${type.group}/${type.resource}`;
}

/**
 * The kinds the server knows. Built-ins are registered at start; CRDs are added and removed as
 * CustomResourceDefinition objects come and go. Lookups are by URL (group, version, plural) or by
 * (apiVersion, kind) for bodies.
 */
export class ResourceRegistry {
  readonly #byPath = new Map<string, ResourceType>();

  register(input: ResourceTypeInput): ResourceType {
    const type: ResourceType = {
      singular: input.kind.toLowerCase(),
      shortNames: [],
      categories: [],
      hasStatus: false,
      custom: true,
      ...input,
    };
    this.#byPath.set(`${type.group}/${type.version}/${type.resource}`, type);
    return type;
  }

  unregister(group: string, version: string, resource: string): void {
    this.#byPath.delete(`${group}/${version}/${resource}`);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.#byPath.get(`${group}/${version}/${resource}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const t of this.#byPath.values()) {
      if (t.kind === kind && apiVersionOf(t.group, t.version) === apiVersion) return t;
    }
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.#byPath.values()];
  }

  /** Group names with their versions, core group (`""`) included, sorted so discovery output is stable. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.#byPath.values()) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    for (const versions of out.values()) versions.sort(compareVersions);
    return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all()
      .filter((t) => t.group === group && t.version === version)
      .sort((a, b) => a.resource.localeCompare(b.resource));
  }
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) {
    if (ra[i] !== rb[i]) return (ra[i] ?? 0) - (rb[i] ?? 0);
  }
  return a.localeCompare(b);
}
