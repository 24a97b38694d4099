import type { ClusterObjects, MeshModel, MeshOptions } from './types.ts';

/** Builds every Address and Authorization resource from the cluster's objects. Never throws on bad objects. */
export function buildModel(_objects: ClusterObjects, _opts: MeshOptions): MeshModel {
  return { addresses: new Map(), authorizations: new Map(), errors: [] };
}
