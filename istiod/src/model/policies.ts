// AuthorizationPolicy / PeerAuthentication → Authorization resources, and which of them each workload names.
import {
  type Authorization,
  convertAuthorizationPolicyWithStatus,
  convertPolicies,
  type PeerAuthentication,
  PEER_AUTHENTICATION_PREFIX,
  readPeerAuthentication,
  STATIC_STRICT_POLICY_NAME,
  waypointAllowPolicy,
  waypointAllowPolicyName,
} from '@mesh/common/authz';
import { errorMessage } from '@mesh/common/errors';
import { selects } from './labels.ts';
import type { CustomObject, ModelIssue } from './types.ts';
import type { Waypoint } from './waypoints.ts';

/** A selector-scoped AuthorizationPolicy, for attaching to workloads. */
interface SelectorPolicy {
  readonly key: string;
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** A PeerAuthentication with its selector labels (null: no `spec.selector`). */
interface PeerAuth {
  readonly pa: PeerAuthentication;
  readonly matchLabels: Readonly<Record<string, string>> | null;
}

/** Every converted policy, plus what is needed to say which ones a workload names. */
export interface PolicyModel {
  readonly authorizations: readonly Authorization[];
  readonly rootNamespace: string;
  readonly selectorPolicies: ReadonlyMap<string, readonly SelectorPolicy[]>;
  readonly peerAuths: ReadonlyMap<string, readonly PeerAuth[]>;
}

/**
 * Converts the policies with common/authz (istiod's conversion), skipping each bad object with an issue, and
 * adds the implicit allow policy of every waypoint that has service accounts.
 */
export function buildPolicies(
  authorizationPolicies: readonly CustomObject[],
  peerAuthentications: readonly CustomObject[],
  waypoints: Iterable<Waypoint>,
  opts: { rootNamespace: string; trustDomain: string },
  issues: ModelIssue[],
): PolicyModel {
  const good: CustomObject[] = [];
  const seen = new Set<string>();
  const selectorPolicies = new Map<string, SelectorPolicy[]>();
  const peerAuths = new Map<string, PeerAuth[]>();
  const unique = (kind: string, obj: CustomObject): boolean => {
    const key = `${kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (seen.has(key)) {
      issues.push({ object: key, message: 'appears twice; the second copy is ignored' });
      return false;
    }
    seen.add(key);
    return true;
  };

  for (const ap of authorizationPolicies) {
    const obj = withKind(ap, 'AuthorizationPolicy');
    try {
      const { policy } = convertAuthorizationPolicyWithStatus(opts.rootNamespace, obj);
      const matchLabels = readMatchLabels(obj);
      if (!unique('AuthorizationPolicy', obj)) continue;
      good.push(obj);
      if (policy?.scope === 'WORKLOAD_SELECTOR') {
        push(selectorPolicies, policy.namespace, { key: `${policy.namespace}/${policy.name}`, matchLabels: matchLabels ?? {} });
      }
    } catch (err) {
      issues.push({ object: describe('AuthorizationPolicy', ap), message: errorMessage(err) });
    }
  }
  for (const raw of peerAuthentications) {
    const obj = withKind(raw, 'PeerAuthentication');
    try {
      const pa = readPeerAuthentication(obj);
      const matchLabels = readMatchLabels(obj);
      if (!unique('PeerAuthentication', obj)) continue;
      good.push(obj);
      push(peerAuths, pa.meta.namespace, { pa, matchLabels });
    } catch (err) {
      issues.push({ object: describe('PeerAuthentication', raw), message: errorMessage(err) });
    }
  }

  const authorizations: Authorization[] = [];
  try {
    const converted = convertPolicies(opts.rootNamespace, good);
    authorizations.push(...converted.policies);
    for (const w of converted.warnings) issues.push({ object: w.object, message: w.message });
  } catch (err) {
    // Every object passed on its own; only a conflict between objects can land here.
    issues.push({ object: 'policies', message: `cannot convert policies: ${errorMessage(err)}` });
  }
  for (const wp of waypoints) {
    const allow = waypointAllowPolicy(wp, opts.trustDomain);
    if (allow) authorizations.push(allow);
  }
  return { authorizations, rootNamespace: opts.rootNamespace, selectorPolicies, peerAuths };
}

/**
 * The policy keys a workload lists in `authorization_policies`, in istiod's order: the selector-scoped
 * AuthorizationPolicies of its namespace and of the root namespace that select it (sorted), then the effective
 * PeerAuthentication references, then the implicit allow of each waypoint in front of it.
 */
export function workloadPolicyKeys(
  model: PolicyModel,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  waypoints: readonly Waypoint[],
): string[] {
  const keys: string[] = [];
  const nsList = [namespace, ...(namespace === model.rootNamespace ? [] : [model.rootNamespace])];
  for (const ns of nsList) {
    for (const p of model.selectorPolicies.get(ns) ?? []) if (selects(p.matchLabels, labels)) keys.push(p.key);
  }
  keys.sort();
  keys.push(...peerAuthenticationKeys(model, namespace, labels));
  const seen = new Set(keys);
  for (const wp of waypoints) {
    if (wp.serviceAccounts.length === 0) continue;
    const key = `${wp.namespace}/${waypointAllowPolicyName(wp)}`;
    if (!seen.has(key)) keys.push(key);
    seen.add(key);
  }
  return keys;
}

/**
 * Which PeerAuthentication-derived policies apply (istiod's convertedSelectorPeerAuthentications): the
 * effective mode, resolved mesh → namespace → workload (oldest wins at each level), references the static
 * strict policy; a workload policy whose port-level modes make exceptions references its own converted policy.
 */
function peerAuthenticationKeys(
  model: PolicyModel,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): string[] {
  const root = model.rootNamespace;
  let mesh: PeerAuth | null = null;
  let ns: PeerAuth | null = null;
  let workload: PeerAuth | null = null;
  const older = (a: PeerAuth, b: PeerAuth | null) =>
    b === null || (a.pa.meta.createdAt ?? Infinity) < (b.pa.meta.createdAt ?? Infinity);
  const candidates = [
    ...(model.peerAuths.get(root) ?? []).filter((p) => p.matchLabels === null && namespace !== root),
    ...(model.peerAuths.get(namespace) ?? []).filter((p) => p.matchLabels === null || selects(p.matchLabels, labels)),
  ];
  for (const p of candidates) {
    const wide = p.matchLabels === null || Object.keys(p.matchLabels).length === 0;
    if (wide) {
      if (p.pa.meta.namespace === root) {
        if (older(p, mesh)) mesh = p;
      } else if (older(p, ns)) ns = p;
    } else if (p.pa.meta.namespace !== root && older(p, workload)) {
      workload = p;
    }
  }

  let strict = false;
  if (mesh && mesh.pa.mode !== 'UNSET') strict = mesh.pa.mode === 'STRICT';
  if (ns && ns.pa.mode !== 'UNSET') strict = ns.pa.mode === 'STRICT';
  let portPolicy = '';
  if (workload) {
    const w = workload.pa;
    const ownKey = `${w.meta.namespace}/${PEER_AUTHENTICATION_PREFIX}${w.meta.name}`;
    const anyPort = (...modes: string[]) => w.portModes.some((p) => modes.includes(p.mode));
    if (w.mode === 'STRICT') strict = true;
    if (w.mode === 'PERMISSIVE' || w.mode === 'DISABLE') strict = false;
    if (w.portModes.length > 0) {
      if (w.mode === 'STRICT') {
        if (anyPort('PERMISSIVE', 'DISABLE')) {
          portPolicy = ownKey;
          strict = false;
        }
      } else if (w.mode === 'PERMISSIVE' || w.mode === 'DISABLE') {
        if (anyPort('STRICT')) portPolicy = ownKey;
      } else if (strict) {
        if (anyPort('PERMISSIVE')) portPolicy = ownKey;
      } else {
        strict = false;
        if (anyPort('STRICT')) portPolicy = ownKey;
      }
    }
  }
  const out: string[] = [];
  if (strict) out.push(`${root}/${STATIC_STRICT_POLICY_NAME}`);
  if (portPolicy) out.push(portPolicy);
  return out.sort();
}

/** `spec.selector.matchLabels` as a string map; null without a selector. Throws naming the field when malformed. */
function readMatchLabels(obj: CustomObject): Record<string, string> | null {
  const selector = (obj.spec as { selector?: unknown } | undefined)?.selector;
  if (selector === undefined || selector === null) return null;
  const labels = (selector as { matchLabels?: unknown }).matchLabels;
  if (labels === undefined || labels === null) return {};
  if (typeof labels !== 'object' || Array.isArray(labels)) throw new Error('spec.selector.matchLabels must be a mapping');
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw new Error(`spec.selector.matchLabels.${k} must be a string`);
  }
  return labels as Record<string, string>;
}

/** Informers hand objects over without `kind`; the converters want it. */
function withKind(obj: CustomObject, kind: string): CustomObject {
  return obj.kind === undefined ? { ...obj, kind } : obj;
}

function describe(kind: string, obj: CustomObject): string {
  return `${kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
