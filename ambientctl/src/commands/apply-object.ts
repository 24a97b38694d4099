// Create-or-update of one object through client-node's KubernetesObjectApi, the way `kubectl apply` does it
// client-side: read; create when absent; otherwise a three-way JSON merge patch against the manifest stored in
// the `kubectl.kubernetes.io/last-applied-configuration` annotation.
//
// client-node (de)serializes built-in kinds through its typed models, whose property names differ from the
// JSON ones in places (`x-kubernetes-preserve-unknown-fields`, `$ref`, dates). So manifests are first turned into
// the same typed form the client returns (`loadYaml` on their JSON), and the diff is computed in that form.
import { ApiException, KubernetesObjectApi, loadYaml, PatchStrategy } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1APIResource } from '@kubernetes/client-node';
import { threeWayMergePatch, type Obj } from './apply-patch.ts';
import type { KubeManifest } from './apply-load.ts';

/** kubectl's annotation holding the manifest of the last apply. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** KubernetesObjectApi with its (cached) discovery lookup made public: apply needs to know if a kind is namespaced. */
export class ApplyObjectApi extends KubernetesObjectApi {
  /** Like KubernetesObjectApi.makeApiClient: the context's default namespace applies. */
  static forConfig(kc: KubeConfig): ApplyObjectApi {
    const client = kc.makeApiClient(ApplyObjectApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  /** The served resource for `kind` in `apiVersion`, or undefined. */
  kindInfo(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }
}

/** What applying one object did. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** Where objects go: the client, and the namespace for namespaced objects that name none. */
export interface ApplyTarget {
  readonly client: ApplyObjectApi;
  /** From `-n`; an object naming another namespace is an error, as in kubectl. */
  readonly namespace: string | undefined;
  /** The kubeconfig context's namespace, or `default`. */
  readonly defaultNamespace: string;
}

/** The result: kubectl's `<kind>[.<group>]/<name>` reference and the outcome. */
export interface Applied {
  readonly ref: string;
  readonly outcome: ApplyOutcome;
}

/** kubectl's `<kind>.<group>/<name>` (`deployment.apps/web`, `namespace/demo`). */
export function objectRef(m: Pick<KubeManifest, 'apiVersion' | 'kind' | 'metadata'>): string {
  const slash = m.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : `.${m.apiVersion.slice(0, slash)}`;
  return `${m.kind.toLowerCase()}${group}/${m.metadata.name}`;
}

/** An HTTP error from the API server as one line: its Status message and code. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    let body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: use as is
      }
    }
    const message = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : String(body);
    return `${message} (HTTP ${err.code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

function typed(raw: object): KubernetesObject & Obj {
  return loadYaml<KubernetesObject & Obj>(JSON.stringify(raw));
}

/** The manifest with its namespace resolved and the last-applied annotation (of itself) set. */
async function prepare(target: ApplyTarget, manifest: KubeManifest): Promise<KubeManifest> {
  const unknown = new Error(`the server does not serve kind "${manifest.kind}" in apiVersion "${manifest.apiVersion}" (is its CRD installed?)`);
  let resource: V1APIResource | undefined;
  try {
    resource = await target.client.kindInfo(manifest.apiVersion, manifest.kind);
  } catch (err) {
    // An unknown group or version is a 404 from discovery.
    if (err instanceof ApiException && err.code === 404) throw unknown;
    throw err;
  }
  if (!resource) throw unknown;
  const desired = structuredClone(manifest);
  if (resource.namespaced) {
    const given = desired.metadata.namespace;
    if (target.namespace !== undefined && given !== undefined && given !== target.namespace) {
      throw new Error(`the object's namespace "${given}" does not match --namespace "${target.namespace}"`);
    }
    desired.metadata.namespace = given ?? target.namespace ?? target.defaultNamespace;
  } else {
    delete desired.metadata.namespace;
  }
  const annotations = { ...(desired.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  desired.metadata.annotations = annotations;
  const lastApplied = JSON.stringify(desired);
  desired.metadata.annotations = { ...annotations, [LAST_APPLIED]: lastApplied };
  return desired;
}

async function readLive(client: ApplyObjectApi, m: KubeManifest): Promise<(KubernetesObject & Obj) | undefined> {
  try {
    return (await client.read({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, namespace: m.metadata.namespace } })) as KubernetesObject & Obj;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw err;
  }
}

/** Creates or updates one object; throws with the server's message on failure. */
export async function applyObject(target: ApplyTarget, manifest: KubeManifest): Promise<Applied> {
  const desired = await prepare(target, manifest);
  const ref = objectRef(desired);
  const modified = typed(desired);
  const current = await readLive(target.client, desired);
  if (current === undefined) {
    await target.client.create(modified);
    return { ref, outcome: 'created' };
  }
  const previous = current.metadata?.annotations?.[LAST_APPLIED];
  const original = previous === undefined ? {} : typed(JSON.parse(previous) as object);
  const patch = threeWayMergePatch(original, modified, current);
  if (Object.keys(patch).length === 0) return { ref, outcome: 'unchanged' };
  const meta = (patch['metadata'] ?? {}) as Obj;
  const body = {
    ...patch,
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: { ...meta, name: desired.metadata.name, ...(desired.metadata.namespace ? { namespace: desired.metadata.namespace } : {}) },
  };
  const result = await target.client.patch(body, undefined, undefined, 'ambientctl', undefined, PatchStrategy.MergePatch);
  // A patch the server found to change nothing (e.g. only fields it ignores) keeps the resourceVersion.
  const after = (result.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const before = (current.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const unchanged = after !== undefined && after === before;
  return { ref, outcome: unchanged ? 'unchanged' : 'configured' };
}
