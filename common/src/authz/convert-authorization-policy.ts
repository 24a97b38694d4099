import type { Group__Output } from '../gen/istio/security/Group.ts';
import type { Match__Output } from '../gen/istio/security/Match.ts';
import type { Rules__Output } from '../gen/istio/security/Rules.ts';
import type { ServiceAccountMatch__Output } from '../gen/istio/security/ServiceAccountMatch.ts';
import { invalidPolicy } from './authz-error.ts';
import { type Authorization, emptyMatch, isEmptyMatch, toAddresses } from './authorization-parts.ts';
import { type KubeObject, readIpBlocks, readKubeObject, readPorts } from './kube-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { toStringMatch } from './string-match.ts';

/** Annotation that marks an AuthorizationPolicy as dry-run (evaluated and logged, never enforced). */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** Options for {@link convertAuthorizationPolicyWithStatus}. */
export interface ConvertAuthorizationOptions {
  /**
   * Send dry-run policies to ztunnel with `dry_run: true` (istiod's AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY).
   * Off by default, as in istiod: a dry-run policy then produces nothing and a status message.
   */
  readonly enableDryRun?: boolean;
}

/** A converted policy (or null) plus the status message istiod would write on the object (or null). */
export interface ConversionResult {
  readonly policy: Authorization | null;
  readonly warning: string | null;
}

const SOURCE_KEYS = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts',
  'trustDomains', 'notTrustDomains',
] as const;
/** Source fields ztunnel cannot see: request principals need HTTP, remote IPs need X-Forwarded-For, and a Match
 * has no trust-domain field. */
const HTTP_SOURCE_KEYS = [
  'remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals', 'trustDomains', 'notTrustDomains',
] as const;
const OPERATION_KEYS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
const HTTP_OPERATION_KEYS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
/** `when` keys ztunnel can evaluate; every other key is an HTTP attribute. */
const L4_WHEN_KEYS = ['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'];

/** Converts an AuthorizationPolicy to what istiod sends ztunnel, or null when ztunnel gets nothing for it. */
export function convertAuthorizationPolicy(
  rootNamespace: string,
  ap: KubeObject | unknown,
  options: ConvertAuthorizationOptions = {},
): Authorization | null {
  return convertAuthorizationPolicyWithStatus(rootNamespace, ap, options).policy;
}

/**
 * Like {@link convertAuthorizationPolicy}, also returning the warning istiod puts in the policy's status
 * (unsupported action, dropped HTTP attributes, disabled dry-run). Throws `ERR_AUTHZ_INVALID_POLICY` on bad input.
 */
export function convertAuthorizationPolicyWithStatus(
  rootNamespace: string,
  ap: KubeObject | unknown,
  options: ConvertAuthorizationOptions = {},
): ConversionResult {
  const { meta, spec, where } = readKubeObject(ap, 'AuthorizationPolicy');
  spec.onlyKeys(['selector', 'targetRef', 'targetRefs', 'action', 'provider', 'rules']);
  const action = spec.string('action') ?? 'ALLOW';
  if (!['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'].includes(action)) {
    invalidPolicy(where, `spec.action must be one of ALLOW, DENY, AUDIT, CUSTOM, got ${JSON.stringify(action)}`);
  }
  const dryRun = parseGoBool(where, meta.annotations[DRY_RUN_ANNOTATION]);
  spec.object('selector');
  spec.object('targetRef');
  const hasTargetRefs = spec.has('targetRef') || spec.list('targetRefs').length > 0;
  const ztunnelAction = action === 'DENY' ? 'DENY' : 'ALLOW';
  // Parse every rule first so a bad object is refused whatever else applies.
  const converted = spec.objects('rules').map((rule) => convertRule(ztunnelAction, rule, meta.namespace));

  if (dryRun && !options.enableDryRun) {
    return {
      policy: null,
      warning: `found policy "${meta.namespace}/${meta.name}" using dry-run annotation, but support for ambient dry-run authorizationPolicies isn't enabled`,
    };
  }
  // A policy bound with targetRefs is enforced by a waypoint, never by ztunnel.
  if (hasTargetRefs) return { policy: null, warning: null };
  if (action === 'AUDIT' || action === 'CUSTOM') {
    return { policy: null, warning: `ztunnel does not support the ${action} action` };
  }

  const groups: Group__Output[] = [];
  const httpAttributes = new Set<string>();
  for (const { rules, http } of converted) {
    if (rules) groups.push({ rules });
    for (const h of http) httpAttributes.add(h);
  }
  const policy: Authorization = {
    name: meta.name,
    namespace: meta.namespace,
    scope: spec.has('selector') ? 'WORKLOAD_SELECTOR' : meta.namespace === rootNamespace ? 'GLOBAL' : 'NAMESPACE',
    action: ztunnelAction,
    groups,
    dry_run: dryRun,
    extensions: [],
  };
  return { policy, warning: httpAttributes.size ? httpWarning(policy, [...httpAttributes].sort()) : null };
}

/** One AuthorizationPolicy rule → the clauses of one group (null: the whole rule is dropped). */
function convertRule(
  action: 'ALLOW' | 'DENY',
  rule: ObjectReader,
  namespace: string,
): { rules: Rules__Output[] | null; http: string[] } {
  rule.onlyKeys(['from', 'to', 'when']);
  const http: string[] = [];
  const toMatches = rule.objects('to').map((to) => {
    to.onlyKeys(['operation']);
    const op = to.object('operation') ?? invalidPolicy(rule.where, `${to.field('operation')} is required`);
    op.onlyKeys(OPERATION_KEYS);
    for (const key of HTTP_OPERATION_KEYS) if (op.strings(key).length) http.push(key);
    return emptyMatch({ destination_ports: readPorts(op, 'ports'), not_destination_ports: readPorts(op, 'notPorts') });
  });
  const fromMatches = rule.objects('from').map((from) => {
    from.onlyKeys(['source']);
    const src = from.object('source') ?? invalidPolicy(rule.where, `${from.field('source')} is required`);
    src.onlyKeys(SOURCE_KEYS);
    for (const key of HTTP_SOURCE_KEYS) if (src.strings(key).length) http.push(key);
    readIpBlocks(src, 'remoteIpBlocks');
    readIpBlocks(src, 'notRemoteIpBlocks');
    return emptyMatch({
      source_ips: toAddresses(readIpBlocks(src, 'ipBlocks')),
      not_source_ips: toAddresses(readIpBlocks(src, 'notIpBlocks')),
      namespaces: src.strings('namespaces').map(toStringMatch),
      not_namespaces: src.strings('notNamespaces').map(toStringMatch),
      service_accounts: serviceAccounts(src.strings('serviceAccounts'), namespace),
      not_service_accounts: serviceAccounts(src.strings('notServiceAccounts'), namespace),
      principals: src.strings('principals').map(toStringMatch),
      not_principals: src.strings('notPrincipals').map(toStringMatch),
    });
  });
  const rules: Rules__Output[] = [];
  if (toMatches.length) rules.push({ matches: toMatches });
  if (fromMatches.length) rules.push({ matches: fromMatches });
  for (const when of rule.objects('when')) {
    when.onlyKeys(['key', 'values', 'notValues']);
    const key = when.string('key') ?? invalidPolicy(rule.where, `${when.field('key')} is required`);
    if (!L4_WHEN_KEYS.includes(key)) http.push(key);
    // Each condition is its own clause; an HTTP-only condition leaves an empty match, which never matches.
    rules.push({ matches: [whenMatch(key, when)] });
  }
  // An ALLOW rule that needs HTTP attributes can never be satisfied at L4: drop it so the policy fails closed.
  // A DENY keeps its L4 parts, which makes it stricter than written.
  return { rules: action === 'ALLOW' && http.length ? null : rules, http };
}

function whenMatch(key: string, when: ObjectReader): Match__Output {
  switch (key) {
    case 'source.namespace':
      return emptyMatch({ namespaces: when.strings('values').map(toStringMatch), not_namespaces: when.strings('notValues').map(toStringMatch) });
    case 'source.principal':
      return emptyMatch({ principals: when.strings('values').map(toStringMatch), not_principals: when.strings('notValues').map(toStringMatch) });
    case 'source.ip':
      return emptyMatch({ source_ips: toAddresses(readIpBlocks(when, 'values')), not_source_ips: toAddresses(readIpBlocks(when, 'notValues')) });
    case 'destination.ip':
      return emptyMatch({ destination_ips: toAddresses(readIpBlocks(when, 'values')), not_destination_ips: toAddresses(readIpBlocks(when, 'notValues')) });
    case 'destination.port':
      return emptyMatch({ destination_ports: readPorts(when, 'values'), not_destination_ports: readPorts(when, 'notValues') });
    default:
      when.strings('values');
      when.strings('notValues');
      return emptyMatch();
  }
}

/** `ns/sa` names a service account in another namespace; a bare `sa` is in the policy's own namespace. */
function serviceAccounts(values: readonly string[], namespace: string): ServiceAccountMatch__Output[] {
  return values.map((v) => {
    const slash = v.indexOf('/');
    return slash < 0
      ? { namespace, serviceAccount: v }
      : { namespace: v.slice(0, slash), serviceAccount: v.slice(slash + 1) };
  });
}

/** Go's strconv.ParseBool, which istiod uses for the dry-run annotation. */
function parseGoBool(where: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return invalidPolicy(where, `annotation ${DRY_RUN_ANNOTATION} must be true or false, got ${JSON.stringify(value)}`);
}

function httpWarning(policy: Authorization, attributes: readonly string[]): string {
  const neverFires = policy.action === 'DENY' && !policy.groups.some(groupCanMatch);
  const effect =
    policy.action === 'ALLOW'
      ? 'Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.'
      : neverFires
        ? 'After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect. Deploy a waypoint proxy and use a targetRef to enforce this policy.'
        : 'DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested.';
  return `ztunnel does not support HTTP attributes (found: ${attributes.join(', ')}). In ambient mode you must use a waypoint proxy to enforce HTTP rules. ${effect}`;
}

/** A group can fire unless one of its clauses holds only empty matches (ztunnel skips those). */
function groupCanMatch(group: Group__Output): boolean {
  return group.rules.every((clause) => clause.matches.some((m) => !isEmptyMatch(m)));
}
