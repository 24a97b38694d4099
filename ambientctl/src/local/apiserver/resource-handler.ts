import { parse as parseYaml } from 'yaml';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './errors.ts';
import type { StatusCause } from './errors.ts';
import { generatedName, newUid, nowTimestamp, specChanged } from './object-meta.ts';
import { jsonPatch, mergePatch } from './patch.ts';
import { apiVersionOf, typeKeyOf } from './registry.ts';
import type { ResourceType } from './registry.ts';
import { selectorMatcher } from './selectors.ts';
import type { KubeObject, ObjectMeta, ObjectStore } from './store.ts';
import { metadataProblems, nameProblems } from './validation.ts';
import type { Deleter } from './deletion.ts';
import type { ServiceIpAllocator } from './service-ips.ts';
import { listPage } from './list-page.ts';

/** A request for one resource type, as the router parsed it from the URL. */
export interface ResourceRequest {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly query: URLSearchParams;
}

/** What a handler answers: an HTTP status and a JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** The object as served through `type`'s version: stored objects keep the version they were written in. */
export function present(type: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(type.group, type.version), kind: type.kind };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Strategic-merge directives kubectl may send (`$setElementOrder/…`, `$retainKeys`, `$patch`); a merge patch ignores them. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

const NAMESPACES: ResourceType['resource'] = 'namespaces';

function isCoreService(req: ResourceRequest): boolean {
  return req.type.group === '' && req.type.resource === 'services';
}

/**
 * get / list / create / update / patch / delete for stored kinds, with the rules of a real API server: server-owned
 * metadata, generateName, resourceVersion preconditions, status subresources, generation, finalizers.
 */
export class ResourceHandler {
  readonly #store: ObjectStore;
  readonly #deleter: Deleter;
  readonly #serviceIps: ServiceIpAllocator;

  constructor(store: ObjectStore, deleter: Deleter, serviceIps: ServiceIpAllocator) {
    this.#store = store;
    this.#deleter = deleter;
    this.#serviceIps = serviceIps;
  }

  get(req: ResourceRequest): Reply {
    return { status: 200, body: present(req.type, this.#mustGet(req)) };
  }

  list(req: ResourceRequest): Reply {
    const match = selectorMatcher(req.query.get('labelSelector'), req.query.get('fieldSelector'));
    const all = this.#store.list(typeKeyOf(req.type), req.namespace).filter((o) => match(o));
    const page = listPage(all, req.query, this.#store.resourceVersion);
    // Like a real server, built-in list items leave out kind and apiVersion; custom resources keep them.
    const items = page.items.map((o) => {
      if (req.type.custom) return present(req.type, o);
      const rest: Record<string, unknown> = { ...o };
      delete rest['kind'];
      delete rest['apiVersion'];
      return rest;
    });
    const metadata: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
    if (page.continueToken) {
      metadata['continue'] = page.continueToken;
      metadata['remainingItemCount'] = page.remaining;
    }
    return { status: 200, body: { kind: `${req.type.kind}List`, apiVersion: apiVersionOf(req.type.group, req.type.version), metadata, items } };
  }

  create(req: ResourceRequest, body: unknown): Reply {
    const obj = this.#checkBody(req, body);
    const meta: ObjectMeta = { ...obj.metadata };
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(this.#subject(req, ''), [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
      }
      meta.name = generatedName(meta.generateName);
    }
    if (req.type.namespaced) {
      if (meta.namespace && req.namespace && meta.namespace !== req.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = req.namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest(`${req.type.kind} is namespaced: the request must name a namespace`);
      this.#checkNamespaceWritable(meta.namespace);
    } else {
      delete meta.namespace;
    }
    this.#validate(req, meta);
    if (this.#store.get(typeKeyOf(req.type), meta.namespace, meta.name)) throw alreadyExists(this.#subject(req, meta.name));
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta['selfLink'];
    let out: KubeObject = { ...obj, apiVersion: apiVersionOf(req.type.group, req.type.version), kind: req.type.kind, metadata: meta };
    if (isCoreService(req)) out = this.#serviceIps.assign(out);
    if (req.type.hasStatus) meta.generation = 1;
    else delete meta.generation;
    // Custom resources with a status subresource drop status on create; built-ins keep it (nodes, pods in tests).
    if (req.type.custom && req.type.hasStatus) delete out['status'];
    if (req.type.resource === NAMESPACES && !req.type.group) {
      out['spec'] = { finalizers: ['kubernetes'], ...(isObject(out['spec']) ? out['spec'] : {}) };
      out['status'] = { phase: 'Active' };
    }
    if (this.#dryRun(req)) return { status: 201, body: out };
    const stored = this.#store.put(typeKeyOf(req.type), out);
    if (req.type.resource === NAMESPACES && !req.type.group) this.#addDefaultServiceAccount(meta.name);
    return { status: 201, body: present(req.type, stored) };
  }

  update(req: ResourceRequest, body: unknown): Reply {
    const next = this.#checkBody(req, body);
    const current = this.#mustGet(req);
    const rv = next.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (req.type.custom) {
        throw invalid(this.#subject(req, req.name ?? ''), [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
    } else if (rv !== current.metadata.resourceVersion) {
      throw conflict(this.#subject(req, req.name ?? ''), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.#write(req, current, next);
  }

  patch(req: ResourceRequest, raw: Buffer, contentType: string): Reply {
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    const current = this.#store.get(typeKeyOf(req.type), req.namespace, req.name ?? '');
    if (mediaType === 'application/apply-patch+yaml') return this.#apply(req, raw, current);
    if (!current) throw notFound(this.#subject(req, req.name ?? ''));
    let patched: unknown;
    const body = parseJsonBody(raw);
    switch (mediaType) {
      case 'application/merge-patch+json':
        patched = mergePatch(current, body);
        break;
      case 'application/strategic-merge-patch+json':
        if (req.type.custom) {
          throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (strategic merge patch is not supported for custom resource ${req.type.kind})`);
        }
        // Treated as a JSON merge patch: right for metadata and plain fields; lists are replaced whole.
        patched = mergePatch(current, stripDirectives(body));
        break;
      case 'application/json-patch+json':
        patched = jsonPatch(current, body);
        break;
      default:
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${mediaType || 'no Content-Type'}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    }
    const next = this.#checkBody(req, patched);
    if (next.metadata.resourceVersion !== undefined && next.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(this.#subject(req, req.name ?? ''), 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.#write(req, current, next);
  }

  delete(req: ResourceRequest, body: unknown): Reply {
    const current = this.#mustGet(req);
    const pre = isObject(body) && isObject(body['preconditions']) ? body['preconditions'] : {};
    if (typeof pre['uid'] === 'string' && pre['uid'] !== current.metadata.uid) {
      throw conflict(this.#subject(req, req.name ?? ''), `Precondition failed: UID in precondition: ${pre['uid']}, UID in object meta: ${current.metadata.uid}`);
    }
    if (typeof pre['resourceVersion'] === 'string' && pre['resourceVersion'] !== current.metadata.resourceVersion) {
      throw conflict(this.#subject(req, req.name ?? ''), `Precondition failed: ResourceVersion in precondition: ${pre['resourceVersion']}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    if (this.#dryRun(req)) return { status: 200, body: present(req.type, current) };
    return { status: 200, body: present(req.type, this.#deleter.delete(typeKeyOf(req.type), current)) };
  }

  deleteCollection(req: ResourceRequest): Reply {
    const match = selectorMatcher(req.query.get('labelSelector'), req.query.get('fieldSelector'));
    const victims = this.#store.list(typeKeyOf(req.type), req.namespace).filter((o) => match(o));
    const items = this.#dryRun(req) ? victims : victims.map((o) => this.#deleter.delete(typeKeyOf(req.type), o));
    return { status: 200, body: { kind: `${req.type.kind}List`, apiVersion: apiVersionOf(req.type.group, req.type.version), metadata: { resourceVersion: String(this.#store.resourceVersion) }, items: items.map((o) => present(req.type, o)) } };
  }

  /** Server-side apply without field ownership: creates the object, or merges the given fields into it. */
  #apply(req: ResourceRequest, raw: Buffer, current: KubeObject | undefined): Reply {
    if (!req.query.get('fieldManager')) throw badRequest('PATCH requests with apply content type must specify fieldManager');
    let body: unknown;
    try {
      body = parseYaml(raw.toString('utf8'));
    } catch (err) {
      throw badRequest(`error decoding YAML in apply patch: ${err instanceof Error ? err.message : String(err)}`);
    }
    const obj = this.#checkBody(req, body);
    if (obj.metadata.name !== req.name) throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${req.name ?? ''})`);
    if (!current) return this.create(req, obj);
    const next = this.#checkBody(req, mergePatch(current, obj));
    return this.#write(req, current, next);
  }

  /** The common tail of update and patch: keep server-owned fields, honour status and finalizers, store. */
  #write(req: ResourceRequest, current: KubeObject, nextIn: KubeObject): Reply {
    const cm = current.metadata;
    if (nextIn.metadata.name !== undefined && nextIn.metadata.name !== cm.name) {
      throw badRequest(`the name of the object (${String(nextIn.metadata.name)}) does not match the name on the URL (${String(cm.name)})`);
    }
    if (req.type.namespaced && nextIn.metadata.namespace && nextIn.metadata.namespace !== cm.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let next: KubeObject;
    if (req.subresource === 'status') {
      // A status write changes only status (a real server ignores spec and most metadata there).
      next = { ...current };
      if (nextIn['status'] === undefined) delete next['status'];
      else next['status'] = nextIn['status'];
    } else {
      next = { ...nextIn, metadata: { ...nextIn.metadata } };
      if (req.type.hasStatus) {
        if (current['status'] === undefined) delete next['status'];
        else next['status'] = current['status'];
      }
      this.#validate(req, next.metadata);
      if (isCoreService(req)) next = this.#serviceIps.keep(current, next);
    }
    const meta: ObjectMeta = { ...next.metadata, name: cm.name, uid: cm.uid, creationTimestamp: cm.creationTimestamp };
    if (cm.namespace !== undefined) meta.namespace = cm.namespace;
    else delete meta.namespace;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (cm[k] === undefined) delete meta[k];
      else meta[k] = cm[k] as never;
    }
    next = { ...next, apiVersion: apiVersionOf(req.type.group, req.type.version), kind: req.type.kind, metadata: meta };
    if (cm.generation !== undefined && specChanged(current, next)) meta.generation = cm.generation + 1;
    if (this.#dryRun(req)) return { status: 200, body: next };
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
      // The last finalizer is gone from an object being deleted: now it goes.
      return { status: 200, body: present(req.type, this.#deleter.finish(typeKeyOf(req.type), next)) };
    }
    return { status: 200, body: present(req.type, this.#store.put(typeKeyOf(req.type), next)) };
  }

  #checkBody(req: ResourceRequest, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest(`the request body must be a JSON object (a ${req.type.kind}), got ${Array.isArray(body) ? 'an array' : typeof body}`);
    const want = apiVersionOf(req.type.group, req.type.version);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== want && !(req.type.custom && typeof body['apiVersion'] === 'string' && body['apiVersion'].startsWith(`${req.type.group}/`))) {
      throw badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${want})`);
    }
    if (body['kind'] !== undefined && body['kind'] !== req.type.kind) {
      throw badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${req.type.kind})`);
    }
    const meta = body['metadata'] ?? {};
    if (!isObject(meta)) throw badRequest('metadata must be a JSON object');
    return { ...body, metadata: meta as ObjectMeta };
  }

  #validate(req: ResourceRequest, meta: ObjectMeta): void {
    const causes: StatusCause[] = [];
    if (meta.name !== undefined && typeof meta.name !== 'string') {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'must be a string' });
    } else if (meta.name !== undefined) {
      causes.push(...nameProblems(meta.name, req.type.resource === NAMESPACES || req.type.resource === 'services'));
    }
    causes.push(...metadataProblems(meta));
    if (causes.length > 0) throw invalid(this.#subject(req, String(meta.name ?? '')), causes);
  }

  /** What a cluster's service-account controller does for every new namespace. */
  #addDefaultServiceAccount(ns: string): void {
    if (this.#store.get('/serviceaccounts', ns, 'default')) return;
    this.#store.put('/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns, uid: newUid(), creationTimestamp: nowTimestamp() } });
  }

  #checkNamespaceWritable(ns: string): void {
    const nsObj = this.#store.get('/namespaces', undefined, ns);
    if (!nsObj) throw notFound({ group: '', resource: 'namespaces', name: ns });
    if (nsObj.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  #mustGet(req: ResourceRequest): KubeObject {
    const obj = this.#store.get(typeKeyOf(req.type), req.namespace, req.name ?? '');
    if (!obj) throw notFound(this.#subject(req, req.name ?? ''));
    return obj;
  }

  #dryRun(req: ResourceRequest): boolean {
    return req.query.getAll('dryRun').includes('All');
  }

  #subject(req: ResourceRequest, name: string): { group: string; resource: string; name: string; kind: string } {
    return { group: req.type.group, resource: req.type.resource, name, kind: req.type.kind };
  }
}

/** Parses a JSON request body; the error names what is wrong and where. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw badRequest('the request body is empty; a JSON object was expected');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
