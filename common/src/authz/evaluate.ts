import { AuthzError, AuthzErrorCode } from './authz-error.ts';
import { canonicalIp, cidrContains, type IpBytes, parseIp } from './ip.ts';
import type { CompiledMatch, Policy, ServiceAccountMatcher, StringMatcher } from './policy.ts';

/** The parts of a SPIFFE identity the evaluator needs (`SpiffeId` from the identity module fits). */
export interface SpiffeLike {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** One inbound connection as the destination ztunnel sees it. */
export interface ConnectionInfo {
  /** The peer's mTLS identity; absent or null for plaintext. */
  readonly srcIdentity?: SpiffeLike | null;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly dstPort: number;
  /** Namespace of the destination workload (only used in the reason text; selection is {@link selectPolicies}). */
  readonly dstNamespace?: string;
}

/** What the policies say about a connection. */
export interface Verdict {
  readonly decision: 'allow' | 'deny';
  /** `namespace/name` of the DENY that matched or the ALLOW that matched; null when no policy decided. */
  readonly policy: string | null;
  readonly reason: string;
}

/** The result of {@link evaluate}. */
export interface Decision extends Verdict {
  /**
   * Present when dry-run policies apply: the verdict had they been enforced, and which of them matched.
   * Never affects `decision`.
   */
  readonly dryRun?: Verdict & { readonly matched: readonly string[] };
}

/** A connection with everything parsed once. */
interface Subject {
  readonly principal: string | null;
  readonly namespace: string;
  readonly identity: SpiffeLike | null;
  readonly src: IpBytes;
  readonly dst: IpBytes;
  readonly port: number;
}

/**
 * Decides a connection the way ztunnel does: any matching DENY denies; with no ALLOW policy the connection is
 * allowed; otherwise one ALLOW must match. Dry-run policies are only reported. `policies` are the applicable
 * ones (see {@link selectPolicies}); their order only decides which policy a verdict names.
 */
export function evaluate(policies: readonly Policy[], conn: ConnectionInfo): Decision {
  const subject = toSubject(conn);
  const enforced = policies.filter((p) => !p.dryRun);
  const verdict = decide(enforced, subject, conn.dstNamespace);
  const dryRunPolicies = policies.filter((p) => p.dryRun);
  if (dryRunPolicies.length === 0) return verdict;
  const matched = dryRunPolicies.filter((p) => policyMatches(p, subject)).map((p) => p.key);
  const asIfEnforced = decide(
    policies.map((p) => (p.dryRun ? { ...p, dryRun: false } : p)),
    subject,
    conn.dstNamespace,
  );
  return { ...verdict, dryRun: { ...asIfEnforced, matched } };
}

function decide(policies: readonly Policy[], s: Subject, namespace: string | undefined): Verdict {
  const deny = policies.find((p) => p.action === 'DENY' && policyMatches(p, s));
  if (deny) return { decision: 'deny', policy: deny.key, reason: `denied by DENY policy ${deny.key}` };
  const allows = policies.filter((p) => p.action === 'ALLOW');
  if (allows.length === 0) return { decision: 'allow', policy: null, reason: 'no ALLOW policy applies' };
  const allow = allows.find((p) => policyMatches(p, s));
  if (allow) return { decision: 'allow', policy: allow.key, reason: `allowed by ALLOW policy ${allow.key}` };
  const where = namespace ? ` to namespace ${namespace}` : '';
  return {
    decision: 'deny',
    policy: null,
    reason: `no ALLOW policy matched (${allows.length} apply${where}: ${allows.map((p) => p.key).join(', ')})`,
  };
}

/** True when the policy matches: any rule whose clauses all match. A policy without rules never matches. */
function policyMatches(policy: Policy, s: Subject): boolean {
  return policy.rules.some((rule) => rule.every((clause) => clause.length === 0 || clause.some((m) => matchMatches(m, s))));
}

function matchMatches(m: CompiledMatch, s: Subject): boolean {
  if (m.empty) return false;
  return (
    attribute(m.destinationIps, m.notDestinationIps, (c) => cidrContains(c, s.dst)) &&
    attribute(m.sourceIps, m.notSourceIps, (c) => cidrContains(c, s.src)) &&
    attribute(m.destinationPorts, m.notDestinationPorts, (p) => p === s.port) &&
    attribute(m.serviceAccounts, m.notServiceAccounts, (sa) => serviceAccountMatches(sa, s.identity)) &&
    // Without an identity no principal matches, not even `presence`; so `not_principals: [presence]` holds.
    attribute(m.principals, m.notPrincipals, (p) => s.principal !== null && stringMatches(p, s.principal)) &&
    // Like ztunnel, a plaintext peer has the empty namespace (which only an empty exact/prefix/suffix matches).
    attribute(m.namespaces, m.notNamespaces, (p) => stringMatches(p, s.namespace))
  );
}

/** Populated positive list: one must match. Populated negative list: none may match. */
function attribute<T>(positive: readonly T[], negative: readonly T[], test: (v: T) => boolean): boolean {
  return (positive.length === 0 || positive.some(test)) && !negative.some(test);
}

function stringMatches(m: StringMatcher, value: string): boolean {
  switch (m.kind) {
    case 'exact':
      return value === m.value;
    case 'prefix':
      return value.startsWith(m.value);
    case 'suffix':
      return value.endsWith(m.value);
    case 'presence':
      return value !== '';
  }
}

function serviceAccountMatches(m: ServiceAccountMatcher, id: SpiffeLike | null): boolean {
  return id !== null && id.namespace === m.namespace && id.serviceAccount === m.serviceAccount;
}

function toSubject(conn: ConnectionInfo): Subject {
  const ip = (what: string, text: string): IpBytes => {
    const bytes = typeof text === 'string' ? parseIp(text) : null;
    if (!bytes) throw new AuthzError(AuthzErrorCode.INVALID_CONNECTION, `${what} ${JSON.stringify(text)} is not an IP address`);
    return canonicalIp(bytes);
  };
  if (!Number.isInteger(conn.dstPort) || conn.dstPort < 0 || conn.dstPort > 65535) {
    throw new AuthzError(AuthzErrorCode.INVALID_CONNECTION, `destination port ${conn.dstPort} is out of range 0-65535`);
  }
  const id = conn.srcIdentity ?? null;
  return {
    identity: id,
    // Policies carry principals without `spiffe://`, so compare in that form.
    principal: id ? `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}` : null,
    namespace: id?.namespace ?? '',
    src: ip('source IP', conn.srcIp),
    dst: ip('destination IP', conn.dstIp),
    port: conn.dstPort,
  };
}
