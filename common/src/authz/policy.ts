import type { Address__Output } from '../gen/istio/security/Address.ts';
import type { Authorization__Output } from '../gen/istio/security/Authorization.ts';
import type { Match__Output } from '../gen/istio/security/Match.ts';
import type { StringMatch__Output } from '../gen/istio/security/StringMatch.ts';
import { invalidPolicy } from './authz-error.ts';
import { type Cidr, makeCidr } from './ip.ts';

/** A string matcher decoded from a StringMatch; `presence` matches any non-empty value. */
export interface StringMatcher {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'presence';
  readonly value: string;
}

/** A service account by namespace and name (trust domain is not compared, as in ztunnel). */
export interface ServiceAccountMatcher {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** One Match, decoded once: CIDRs parsed and masked, ports range-checked. */
export interface CompiledMatch {
  readonly namespaces: readonly StringMatcher[];
  readonly notNamespaces: readonly StringMatcher[];
  readonly principals: readonly StringMatcher[];
  readonly notPrincipals: readonly StringMatcher[];
  readonly serviceAccounts: readonly ServiceAccountMatcher[];
  readonly notServiceAccounts: readonly ServiceAccountMatcher[];
  readonly sourceIps: readonly Cidr[];
  readonly notSourceIps: readonly Cidr[];
  readonly destinationIps: readonly Cidr[];
  readonly notDestinationIps: readonly Cidr[];
  readonly destinationPorts: readonly number[];
  readonly notDestinationPorts: readonly number[];
  /** No list populated: ztunnel skips such a match (it never matches). */
  readonly empty: boolean;
}

/** Matches within a clause are OR-ed. */
export type Clause = readonly CompiledMatch[];
/** Clauses within a rule are AND-ed; an empty rule matches everything. */
export type Rule = readonly Clause[];

/** Where a policy applies: every workload, its namespace's workloads, or workloads that list it by name. */
export type PolicyScope = 'GLOBAL' | 'NAMESPACE' | 'WORKLOAD_SELECTOR';

/** An Authorization compiled for evaluation. Rules are OR-ed; a policy with no rules never matches. */
export interface Policy {
  /** `namespace/name`, the key workloads use to reference policies. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly scope: PolicyScope;
  readonly action: 'ALLOW' | 'DENY';
  /** Dry-run policies are evaluated and reported but never decide. */
  readonly dryRun: boolean;
  readonly rules: readonly Rule[];
}

const SCOPES: Record<string, PolicyScope> = { GLOBAL: 'GLOBAL', 0: 'GLOBAL', NAMESPACE: 'NAMESPACE', 1: 'NAMESPACE', WORKLOAD_SELECTOR: 'WORKLOAD_SELECTOR', 2: 'WORKLOAD_SELECTOR' };
const ACTIONS: Record<string, 'ALLOW' | 'DENY'> = { ALLOW: 'ALLOW', 0: 'ALLOW', DENY: 'DENY', 1: 'DENY' };

/**
 * Decodes an Authorization (as `ProtoCodec.decode` or the converters return it) into a {@link Policy}. Where
 * ztunnel silently drops a bad entry (an address of the wrong size, a string match with no type), we refuse the
 * whole policy with `ERR_AUTHZ_INVALID_POLICY`: dropping an entry can turn a `not_*` list into "match anything".
 */
export function compilePolicy(a: Authorization__Output): Policy {
  const where = `Authorization ${a.namespace ?? ''}/${a.name ?? ''}`;
  if (!a.name) invalidPolicy(where, 'name is empty');
  const scope = SCOPES[String(a.scope ?? 'GLOBAL')] ?? invalidPolicy(where, `unknown scope ${JSON.stringify(a.scope)}`);
  const action = ACTIONS[String(a.action ?? 'ALLOW')] ?? invalidPolicy(where, `unknown action ${JSON.stringify(a.action)}`);
  const rules = (a.groups ?? []).map((g, gi) =>
    (g.rules ?? []).map((r, ri) => (r.matches ?? []).map((m, mi) => compileMatch(where, `groups[${gi}].rules[${ri}].matches[${mi}]`, m))),
  );
  return { key: `${a.namespace ?? ''}/${a.name}`, name: a.name, namespace: a.namespace ?? '', scope, action, dryRun: a.dry_run === true, rules };
}

function compileMatch(where: string, path: string, m: Match__Output): CompiledMatch {
  const strings = (field: keyof Match__Output) =>
    ((m[field] ?? []) as StringMatch__Output[]).map((s, i) => compileString(where, `${path}.${field}[${i}]`, s));
  const cidrs = (field: keyof Match__Output) =>
    ((m[field] ?? []) as Address__Output[]).map((addr, i) => compileCidr(where, `${path}.${field}[${i}]`, addr));
  const ports = (field: keyof Match__Output) =>
    ((m[field] ?? []) as number[]).map((p, i) => {
      if (!Number.isInteger(p) || p < 0 || p > 65535) invalidPolicy(where, `${path}.${field}[${i}] port ${p} is out of range 0-65535`);
      return p;
    });
  const accounts = (field: 'service_accounts' | 'not_service_accounts') =>
    (m[field] ?? []).map((sa) => ({ namespace: sa.namespace ?? '', serviceAccount: sa.serviceAccount ?? '' }));
  const compiled = {
    namespaces: strings('namespaces'),
    notNamespaces: strings('not_namespaces'),
    principals: strings('principals'),
    notPrincipals: strings('not_principals'),
    serviceAccounts: accounts('service_accounts'),
    notServiceAccounts: accounts('not_service_accounts'),
    sourceIps: cidrs('source_ips'),
    notSourceIps: cidrs('not_source_ips'),
    destinationIps: cidrs('destination_ips'),
    notDestinationIps: cidrs('not_destination_ips'),
    destinationPorts: ports('destination_ports'),
    notDestinationPorts: ports('not_destination_ports'),
  };
  const empty = Object.values(compiled).every((list) => list.length === 0);
  return { ...compiled, empty };
}

function compileString(where: string, path: string, s: StringMatch__Output): StringMatcher {
  const kind = s.match_type ?? (['exact', 'prefix', 'suffix', 'presence'] as const).find((k) => s[k] !== undefined && s[k] !== null);
  if (!kind) invalidPolicy(where, `${path} sets none of exact, prefix, suffix, presence`);
  if (kind === 'presence') return { kind, value: '' };
  const value = s[kind];
  if (typeof value !== 'string') invalidPolicy(where, `${path}.${kind} must be a string`);
  return { kind, value };
}

function compileCidr(where: string, path: string, a: Address__Output): Cidr {
  const bytes = a.address instanceof Uint8Array ? a.address : null;
  if (!bytes || (bytes.length !== 4 && bytes.length !== 16)) {
    invalidPolicy(where, `${path}.address must be 4 (IPv4) or 16 (IPv6) bytes, got ${bytes ? bytes.length : typeof a.address}`);
  }
  return makeCidr(bytes, a.length ?? 0) ?? invalidPolicy(where, `${path}.length ${a.length} is out of range for a ${bytes.length * 8}-bit address`);
}
