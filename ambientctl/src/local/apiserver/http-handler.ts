import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { timingSafeEqual } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, statusBody } from './errors.ts';
import type { HttpResponse } from './http-types.ts';
import type { Discovery } from './discovery.ts';
import type { OpenApi } from './openapi.ts';
import { decodeKubeProtobuf } from './protobuf.ts';
import type { ResourceRegistry } from './registry.ts';
import { parseJsonBody } from './resource-handler.ts';
import type { Reply, ResourceHandler, ResourceRequest } from './resource-handler.ts';
import { route } from './router.ts';
import type { Route } from './router.ts';
import type { ObjectStore } from './store.ts';
import type { TokenEndpoints } from './token-endpoints.ts';
import { API_AUDIENCE } from './tokens.ts';
import type { TokenIssuer } from './tokens.ts';
import { serveWatch } from './watch.ts';
import { toTable, wantsTable } from './table.ts';
import type { KubeObject } from './store.ts';
import type { WatchTiming } from './watch.ts';

type Request = IncomingMessage | Http2ServerRequest;
type Response = HttpResponse;

/** Everything a request may need, built once by the server. */
export interface HandlerDeps {
  readonly registry: ResourceRegistry;
  readonly store: ObjectStore;
  readonly resources: ResourceHandler;
  readonly tokens: TokenEndpoints;
  readonly issuer: TokenIssuer;
  readonly discovery: Discovery;
  readonly openapi: OpenApi;
  readonly adminToken: string;
  readonly serverAddress: string;
  readonly timing: WatchTiming;
  readonly maxBodyBytes: number;
  /** Called with each live watch's end function; the server ends them all on close. */
  readonly trackWatch: (end: () => void) => () => void;
  readonly log: ((line: string) => void) | undefined;
}

const NOT_FOUND = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
/** Paths anyone may read, as a real server allows for unauthenticated clients. */
const PUBLIC: ReadonlySet<Route['kind']> = new Set(['version', 'health', 'oidc-config', 'jwks']);

function readBody(req: Request, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than ${max} bytes`));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that goes away mid-body never sends 'end'; settle so nothing waits forever (no-op once resolved).
    req.on('close', () => reject(new ApiError(400, 'BadRequest', 'the client closed the connection before sending the whole body')));
  });
}

function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A create/update body in whatever format the client sent it. */
function decodeObjectBody(raw: Buffer, contentType: string): unknown {
  const media = contentType.split(';')[0]?.trim() ?? '';
  if (media === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(raw);
  if (media === 'application/yaml') {
    try {
      return parseYaml(raw.toString('utf8'));
    } catch (err) {
      throw badRequest(`the request body is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (media !== '' && media !== 'application/json' && media !== '*/*') {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${media}) - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  }
  return parseJsonBody(raw);
}

/**
 * The request handler: authentication, routing, body decoding and dispatch, and the `Status` answer for any
 * error. It never throws: every failure becomes a Kubernetes `Status` and the server keeps serving.
 */
export function createHandler(deps: HandlerDeps): (req: Request, res: ServerResponse | Http2ServerResponse) => void {
  const admin = Buffer.from(deps.adminToken);

  const authenticated = (req: Request): boolean => {
    const h = req.headers['authorization'];
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (!m?.[1]) return false;
    const given = Buffer.from(m[1]);
    if (given.length === admin.length && timingSafeEqual(given, admin)) return true;
    // Service-account tokens for the API server's audience are accepted too (with full rights: no RBAC here).
    return typeof deps.tokens.authenticate(m[1], [API_AUDIENCE]) !== 'string';
  };

  const handleResource = async (req: Request, res: Response, r: Extract<Route, { kind: 'resource' }>, url: URL): Promise<Reply | undefined> => {
    const method = req.method ?? 'GET';
    if (r.group === 'authentication.k8s.io' && r.version === 'v1' && r.resource === 'tokenreviews' && !r.namespace && !r.name) {
      if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on tokenreviews; only create (POST)`);
      return deps.tokens.tokenReview(decodeObjectBody(await readBody(req, deps.maxBodyBytes), String(req.headers['content-type'] ?? '')));
    }
    const type = deps.registry.lookup(r.group, r.version, r.resource);
    if (!type) throw NOT_FOUND();
    if (r.namespace !== undefined && !type.namespaced) throw NOT_FOUND();
    if (r.namespace === undefined && type.namespaced && (r.name !== undefined || method === 'POST')) throw NOT_FOUND();
    const query = url.searchParams;
    let name = r.name;
    if (r.watchPath && name !== undefined) {
      query.set('fieldSelector', [query.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(','));
      name = undefined;
    }
    const rr: ResourceRequest = { type, namespace: r.namespace, name, subresource: r.subresource, query };
    if (r.subresource === 'token' && type.resource === 'serviceaccounts' && type.group === '' && name !== undefined) {
      if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'serviceaccounts/token supports only create (POST)');
      const body = decodeObjectBody(await readBody(req, deps.maxBodyBytes), String(req.headers['content-type'] ?? ''));
      return deps.tokens.tokenRequest(r.namespace ?? '', name, body);
    }
    if (r.subresource !== undefined && !(r.subresource === 'status' && type.hasStatus)) throw NOT_FOUND();
    if (r.subresource === 'status' && !['GET', 'PUT', 'PATCH'].includes(method)) {
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${type.resource}/status`);
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const table = method === 'GET' && r.subresource === undefined && wantsTable(String(req.headers['accept'] ?? ''));
    const includeObject = query.get('includeObject');
    switch (method) {
      case 'GET': {
        if (name !== undefined) {
          const reply = deps.resources.get(rr);
          if (!table) return reply;
          const obj = reply.body as KubeObject;
          return { status: 200, body: toTable(type, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeObject) };
        }
        const w = query.get('watch');
        if (r.watchPath || w === 'true' || w === '1') {
          const format = table ? (o: KubeObject): unknown => toTable(type, [o], { resourceVersion: o.metadata.resourceVersion }, includeObject) : undefined;
          const end = serveWatch(rr, res, deps.store, deps.timing, format);
          const untrack = deps.trackWatch(end);
          res.on('close', untrack);
          return undefined;
        }
        const list = deps.resources.list(rr);
        if (!table) return list;
        const body = list.body as { metadata: Record<string, unknown>; items: KubeObject[] };
        return { status: 200, body: toTable(type, body.items, body.metadata, includeObject) };
      }
      case 'POST':
        if (name !== undefined) throw new ApiError(405, 'MethodNotAllowed', `POST is not supported on a named ${type.kind}; use PUT or PATCH`);
        return deps.resources.create(rr, decodeObjectBody(await readBody(req, deps.maxBodyBytes), contentType));
      case 'PUT':
        if (name === undefined) throw new ApiError(405, 'MethodNotAllowed', `PUT needs an object name in the path`);
        return deps.resources.update(rr, decodeObjectBody(await readBody(req, deps.maxBodyBytes), contentType));
      case 'PATCH':
        if (name === undefined) throw new ApiError(405, 'MethodNotAllowed', `PATCH needs an object name in the path`);
        return deps.resources.patch(rr, await readBody(req, deps.maxBodyBytes), contentType);
      case 'DELETE': {
        const raw = await readBody(req, deps.maxBodyBytes);
        const opts = raw.length > 0 ? decodeObjectBody(raw, contentType) : {};
        return name === undefined ? deps.resources.deleteCollection(rr) : deps.resources.delete(rr, opts);
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `method ${method} is not supported`);
    }
  };

  const dispatch = async (req: Request, res: Response): Promise<Reply | undefined> => {
    const url = new URL(req.url ?? '/', 'https://apiserver.local');
    const r = route(url.pathname);
    if (!PUBLIC.has(r.kind) && !authenticated(req)) throw new ApiError(401, 'Unauthorized', 'Unauthorized: a valid bearer token is required');
    const method = req.method ?? 'GET';
    if (r.kind !== 'resource' && method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
    const found = (body: unknown): Reply => {
      if (body === undefined) throw NOT_FOUND();
      return { status: 200, body };
    };
    switch (r.kind) {
      case 'version':
        return found(deps.discovery.version());
      case 'health':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return undefined;
      case 'api':
        return found(deps.discovery.apiVersions(deps.serverAddress));
      case 'apis':
        return found(deps.discovery.apiGroupList());
      case 'group':
        return found(deps.discovery.apiGroup(r.group));
      case 'group-version':
        return found(deps.discovery.resourceList(r.group, r.version));
      case 'openapi-v3':
        return found(deps.openapi.index());
      case 'openapi-v3-doc':
        return found(deps.openapi.groupVersion(r.group, r.version));
      case 'openapi-v2':
        if (String(req.headers['accept'] ?? '').includes('protobuf')) {
          const pb = deps.openapi.v2Protobuf();
          // A real server labels it octet-stream; Go's mime parser (kubectl) rejects the '@' in the protobuf media type.
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': pb.length });
          res.end(pb);
          return undefined;
        }
        return found(deps.openapi.v2());
      case 'oidc-config':
        return found({ issuer: deps.issuer.issuer, jwks_uri: `https://${deps.serverAddress}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] });
      case 'jwks':
        return found(deps.issuer.jwks());
      case 'resource':
        return handleResource(req, res, r, url);
      case 'not-found':
        throw NOT_FOUND();
    }
  };

  return (req, nodeRes) => {
    const res = nodeRes as unknown as HttpResponse;
    dispatch(req, res).then(
      (reply) => {
        if (reply) sendJson(res, reply.status, reply.body);
        deps.log?.(`${req.method} ${req.url} ${reply?.status ?? res.statusCode}`);
      },
      (err: unknown) => {
        const { status, body } = statusBody(err);
        deps.log?.(`${req.method} ${req.url} ${status} ${String(body['message'])}`);
        if (res.headersSent) {
          res.end();
          return;
        }
        sendJson(res, status, body);
      },
    );
  };
}
