import { IdentityError, IdentityErrorCode } from './identity-error.ts';

const SCHEME = 'spiffe://';

/** SPIFFE caps a trust domain name at 255 bytes and a whole ID at 2048. */
const MAX_TRUST_DOMAIN_LENGTH = 255;
const MAX_ID_LENGTH = 2048;

/** Lowercase DNS-ish labels separated by dots: SPIFFE allows `[a-z0-9._-]`; we also refuse empty labels. */
const TRUST_DOMAIN_LABEL = /^[a-z0-9_-]+$/;

/** A path segment may hold only SPIFFE's unreserved characters, so nothing needs percent-encoding. */
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** The three parts that make up a mesh workload identity. */
export interface SpiffeIdParts {
  /** Trust domain, e.g. `cluster.local`. */
  readonly trustDomain: string;
  /** Kubernetes namespace of the workload. */
  readonly namespace: string;
  /** Kubernetes service account of the workload. */
  readonly serviceAccount: string;
}

/**
 * A workload identity in Istio's form `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`.
 * Parsing is strict (exactly that path, nothing else), so two equal identities always have equal strings and
 * SAN checks can compare strings.
 */
export class SpiffeId implements SpiffeIdParts {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;

  private constructor(parts: SpiffeIdParts) {
    this.trustDomain = parts.trustDomain;
    this.namespace = parts.namespace;
    this.serviceAccount = parts.serviceAccount;
    Object.freeze(this);
  }

  /** Builds an identity from its parts, validating each one. */
  static of(parts: SpiffeIdParts): SpiffeId {
    const where = `${parts.trustDomain}/ns/${parts.namespace}/sa/${parts.serviceAccount}`;
    checkTrustDomain(parts.trustDomain, where);
    checkSegment('namespace', parts.namespace, where);
    checkSegment('service account', parts.serviceAccount, where);
    return new SpiffeId(parts);
  }

  /** Parses `spiffe://<td>/ns/<ns>/sa/<sa>`; throws {@link IdentityError} naming what is wrong. */
  static parse(uri: string): SpiffeId {
    if (typeof uri !== 'string') invalid(`expected a string, got ${typeof uri}`);
    if (uri.length > MAX_ID_LENGTH) invalid(`SPIFFE ID is longer than ${MAX_ID_LENGTH} characters`);
    if (!uri.startsWith(SCHEME)) {
      invalid(`expected a URI starting with "${SCHEME}", got "${truncate(uri)}"`);
    }
    const rest = uri.slice(SCHEME.length);
    for (const [ch, what] of [['?', 'a query'], ['#', 'a fragment'], ['%', 'percent-encoding']] as const) {
      if (rest.includes(ch)) invalid(`SPIFFE ID must not contain ${what}: "${truncate(uri)}"`);
    }
    const slash = rest.indexOf('/');
    if (slash < 0) invalid(`expected path /ns/<ns>/sa/<sa> after the trust domain, got none in "${truncate(uri)}"`);
    const trustDomain = rest.slice(0, slash);
    checkTrustDomain(trustDomain, uri);
    return new SpiffeId(fromPath(trustDomain, rest.slice(slash), uri));
  }

  /** Parses the principal form `<td>/ns/<ns>/sa/<sa>` used by authorization policies (no `spiffe://`). */
  static parsePrincipal(principal: string): SpiffeId {
    if (typeof principal !== 'string') invalid(`expected a string, got ${typeof principal}`);
    if (principal.startsWith(SCHEME)) {
      invalid(`a principal has no "${SCHEME}" prefix, got "${truncate(principal)}"`);
    }
    const slash = principal.indexOf('/');
    if (slash < 0) invalid(`expected <trust-domain>/ns/<ns>/sa/<sa>, got "${truncate(principal)}"`);
    const trustDomain = principal.slice(0, slash);
    checkTrustDomain(trustDomain, principal);
    return new SpiffeId(fromPath(trustDomain, principal.slice(slash), principal));
  }

  /** Like {@link SpiffeId.parse} but returns undefined instead of throwing. */
  static tryParse(uri: string): SpiffeId | undefined {
    try {
      return SpiffeId.parse(uri);
    } catch {
      return undefined;
    }
  }

  /** The full URI, `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  toString(): string {
    return `${SCHEME}${this.toPrincipal()}`;
  }

  /** The authorization principal form, `<td>/ns/<ns>/sa/<sa>`. */
  toPrincipal(): string {
    return `${this.trustDomain}/ns/${this.namespace}/sa/${this.serviceAccount}`;
  }

  toJSON(): string {
    return this.toString();
  }

  equals(other: SpiffeIdParts): boolean {
    return (
      this.trustDomain === other.trustDomain &&
      this.namespace === other.namespace &&
      this.serviceAccount === other.serviceAccount
    );
  }
}

function fromPath(trustDomain: string, path: string, whole: string): SpiffeIdParts {
  const segments = path.split('/').slice(1);
  if (segments.length !== 4 || segments[0] !== 'ns' || segments[2] !== 'sa') {
    invalid(`expected path /ns/<ns>/sa/<sa>, got ${truncate(path)}`);
  }
  const namespace = segments[1] ?? '';
  const serviceAccount = segments[3] ?? '';
  checkSegment('namespace', namespace, whole);
  checkSegment('service account', serviceAccount, whole);
  return { trustDomain, namespace, serviceAccount };
}

function checkTrustDomain(td: string, whole: string): void {
  if (typeof td !== 'string' || td === '') invalid(`trust domain is empty in "${truncate(String(whole))}"`);
  if (td.length > MAX_TRUST_DOMAIN_LENGTH) {
    invalid(`trust domain is longer than ${MAX_TRUST_DOMAIN_LENGTH} characters`);
  }
  if (td !== td.toLowerCase()) invalid(`trust domain must be lowercase, got "${truncate(td)}"`);
  if (!td.split('.').every((label) => TRUST_DOMAIN_LABEL.test(label))) {
    invalid(
      `trust domain "${truncate(td)}" must be dot-separated non-empty labels of [a-z0-9_-] (no port, no user info)`,
    );
  }
}

function checkSegment(what: string, value: string, whole: string): void {
  if (typeof value !== 'string' || value === '') invalid(`${what} is empty in "${truncate(whole)}"`);
  if (value === '.' || value === '..') invalid(`${what} must not be "${value}" in "${truncate(whole)}"`);
  if (!PATH_SEGMENT.test(value)) {
    invalid(`${what} "${truncate(value)}" may only contain [A-Za-z0-9._-]`);
  }
}

/** Keeps error messages readable when someone feeds us a megabyte of garbage. */
function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function invalid(message: string): never {
  throw new IdentityError(IdentityErrorCode.INVALID_SPIFFE_ID, `invalid SPIFFE ID: ${message}`);
}
