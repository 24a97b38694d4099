/** Where a request path leads. Pure: the server decides what to do with each kind of route. */
export type Route =
  | { readonly kind: 'version' | 'health' | 'api' | 'apis' | 'openapi-v2' | 'openapi-v3' | 'oidc-config' | 'jwks' }
  | { readonly kind: 'openapi-v3-doc'; readonly group: string; readonly version: string }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'group-version'; readonly group: string; readonly version: string }
  | {
      readonly kind: 'resource';
      readonly group: string;
      readonly version: string;
      readonly resource: string;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      /** The deprecated `/watch/` path prefix was used. */
      readonly watchPath: boolean;
    }
  | { readonly kind: 'not-found' };

const NOT_FOUND: Route = { kind: 'not-found' };

/** Subresources of a namespace, which would otherwise read as a resource type inside that namespace. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return NOT_FOUND;
  const base = { kind: 'resource' as const, group, version, watchPath };
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2] ?? ''))) {
    if (rest.length > 5) return NOT_FOUND;
    return { ...base, namespace: rest[1], resource: rest[2] ?? '', name: rest[3], subresource: rest[4] };
  }
  if (rest.length > 3) return NOT_FOUND;
  return { ...base, namespace: undefined, resource: rest[0] ?? '', name: rest[1], subresource: rest[2] };
}

/** Parses a request path (without query) into a Route. Segments are percent-decoded. */
export function route(pathname: string): Route {
  let segs: string[];
  try {
    segs = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return NOT_FOUND;
  }
  const [a, b, c, ...rest] = segs;
  switch (a) {
    case 'version':
      return segs.length === 1 ? { kind: 'version' } : NOT_FOUND;
    case 'healthz':
    case 'livez':
    case 'readyz':
      return { kind: 'health' };
    case '.well-known':
      return b === 'openid-configuration' && segs.length === 2 ? { kind: 'oidc-config' } : NOT_FOUND;
    case 'openid':
      return b === 'v1' && c === 'jwks' && segs.length === 3 ? { kind: 'jwks' } : NOT_FOUND;
    case 'openapi':
      if (b === 'v2' && segs.length === 2) return { kind: 'openapi-v2' };
      if (b !== 'v3') return NOT_FOUND;
      if (segs.length === 2) return { kind: 'openapi-v3' };
      if (c === 'api' && rest.length === 1) return { kind: 'openapi-v3-doc', group: '', version: rest[0] ?? '' };
      if (c === 'apis' && rest.length === 2) return { kind: 'openapi-v3-doc', group: rest[0] ?? '', version: rest[1] ?? '' };
      return NOT_FOUND;
    case 'api':
      if (b === undefined) return { kind: 'api' };
      if (c === undefined) return { kind: 'group-version', group: '', version: b };
      return resourceRoute('', b, segs.slice(2));
    case 'apis':
      if (b === undefined) return { kind: 'apis' };
      if (c === undefined) return { kind: 'group', group: b };
      if (rest.length === 0) return { kind: 'group-version', group: b, version: c };
      return resourceRoute(b, c, rest);
    default:
      return NOT_FOUND;
  }
}
