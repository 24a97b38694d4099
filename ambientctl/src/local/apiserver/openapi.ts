import { apiVersionOf } from './registry.ts';
import type { ResourceRegistry } from './registry.ts';

/**
 * OpenAPI documents, only as far as kubectl reads them. kubectl 1.27+ fetches v3 to learn whether the server
 * validates fields itself (a `patch` operation with `x-kubernetes-group-version-kind` and a `fieldValidation`
 * parameter per kind); schemas are not served, so kubectl does no client-side schema validation and the server
 * does not reject unknown fields either.
 */
export class OpenApi {
  readonly #registry: ResourceRegistry;

  constructor(registry: ResourceRegistry) {
    this.#registry = registry;
  }

  /** `/openapi/v3`: one entry per served group version. */
  index(): Record<string, unknown> {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const [group, versions] of this.#registry.groups()) {
      for (const v of versions) {
        const key = group ? `apis/${group}/${v}` : `api/${v}`;
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}` };
      }
    }
    return { paths };
  }

  /** `/openapi/v3/api/v1` or `/openapi/v3/apis/<g>/<v>`, or undefined when not served. */
  groupVersion(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.#registry.inGroupVersion(group, version);
    if (types.length === 0) return undefined;
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const paths: Record<string, unknown> = {};
    for (const t of types) {
      const gvk = { group: t.group, version: t.version, kind: t.kind };
      const item = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}/{name}` : `${prefix}/${t.resource}/{name}`;
      const params = [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ...(t.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
        { name: 'dryRun', in: 'query', schema: { type: 'string' } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
        { name: 'force', in: 'query', schema: { type: 'boolean' } },
      ];
      const op = (verb: string): Record<string, unknown> => ({
        operationId: `${verb}${t.kind}`,
        'x-kubernetes-action': verb,
        'x-kubernetes-group-version-kind': gvk,
        parameters: params,
        responses: { '200': { description: 'OK' } },
      });
      paths[item] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
    }
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: apiVersionOf(group, version) },
      paths,
      components: { schemas: {} },
    };
  }

  /** `/openapi/v2` as JSON: no definitions, so kubectl's v2-based validation and patch lookup fall back. */
  v2(): Record<string, unknown> {
    return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} };
  }

  /**
   * `/openapi/v2` in the protobuf form kubectl asks for (gnostic `openapi_v2.Document`): only `swagger` (1) and
   * `info` (2: title 1, version 2). kubectl 1.20 validates against it and finds no models, so it skips
   * validation; apply then uses its compiled-in types for strategic merge patches.
   */
  v2Protobuf(): Buffer {
    const str = (field: number, s: string): Buffer => {
      const b = Buffer.from(s, 'utf8');
      return Buffer.concat([Buffer.from([(field << 3) | 2, b.length]), b]);
    };
    const info = Buffer.concat([str(1, 'Kubernetes'), str(2, 'v1.32.0')]);
    return Buffer.concat([str(1, '2.0'), Buffer.from([(2 << 3) | 2, info.length]), info]);
  }
}
