import type { Authorization } from './authorization-parts.ts';
import { AuthzError, AuthzErrorCode } from './authz-error.ts';
import {
  type ConvertAuthorizationOptions,
  convertAuthorizationPolicyWithStatus,
} from './convert-authorization-policy.ts';
import { convertPeerAuthentication, type PeerAuthentication, readPeerAuthentication } from './convert-peer-authentication.ts';
import { staticStrictPolicy } from './static-policies.ts';

/** What {@link convertPolicies} produced from a set of objects. */
export interface ConvertedPolicies {
  /** In input order, then the static strict policy when any PeerAuthentication exists. */
  readonly policies: readonly Authorization[];
  /** Status messages istiod would write, per object (`Kind namespace/name`). */
  readonly warnings: readonly { readonly object: string; readonly message: string }[];
}

/**
 * Converts every AuthorizationPolicy and PeerAuthentication in `objects` into what istiod sends ztunnel, the way
 * istiod's policy collections do: each workload PeerAuthentication is merged with the oldest selector-less one of
 * its namespace and of the root namespace, and the static strict policy is added when any PeerAuthentication
 * exists. Objects of other kinds are ignored. Throws `ERR_AUTHZ_INVALID_POLICY` on the first bad object.
 */
export function convertPolicies(
  rootNamespace: string,
  objects: readonly unknown[],
  options: ConvertAuthorizationOptions = {},
): ConvertedPolicies {
  const policies: Authorization[] = [];
  const warnings: { object: string; message: string }[] = [];
  const kindOf = (o: unknown) => (typeof o === 'object' && o !== null ? (o as { kind?: unknown }).kind : undefined);
  const peerAuths = objects
    .filter((o) => kindOf(o) === 'PeerAuthentication')
    .map((raw) => ({ raw, pa: readPeerAuthentication(raw) }));
  const oldestWide = (namespace: string) => oldest(peerAuths.filter((p) => !p.pa.hasSelector && p.pa.meta.namespace === namespace));

  for (const obj of objects) {
    if (kindOf(obj) === 'AuthorizationPolicy') {
      const res = convertAuthorizationPolicyWithStatus(rootNamespace, obj, options);
      if (res.policy) policies.push(res.policy);
      if (res.warning) warnings.push({ object: describeObject('AuthorizationPolicy', obj), message: res.warning });
    } else if (kindOf(obj) === 'PeerAuthentication') {
      const pa = readPeerAuthentication(obj);
      const converted = convertPeerAuthentication(
        rootNamespace,
        obj,
        oldestWide(pa.meta.namespace)?.raw ?? null,
        oldestWide(rootNamespace)?.raw ?? null,
      );
      if (converted) policies.push(converted);
    }
  }
  if (peerAuths.length > 0) policies.push(staticStrictPolicy(rootNamespace));
  assertUniqueKeys(policies);
  return { policies, warnings };
}

/** The oldest by creation time; unknown times count as newest, and ties keep input order (like a stable sort). */
function oldest<T extends { pa: PeerAuthentication }>(items: readonly T[]): T | null {
  let best: T | null = null;
  for (const item of items) {
    const t = item.pa.meta.createdAt ?? Infinity;
    if (best === null || t < (best.pa.meta.createdAt ?? Infinity)) best = item;
  }
  return best;
}

function describeObject(kind: string, obj: unknown): string {
  const meta = (obj as { metadata?: { name?: string; namespace?: string } }).metadata ?? {};
  return `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}`;
}

/** ztunnel keys policies by namespace/name; two with one key would silently replace each other. */
function assertUniqueKeys(policies: readonly Authorization[]): void {
  const seen = new Set<string>();
  for (const p of policies) {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key)) throw new AuthzError(AuthzErrorCode.INVALID_POLICY, `two policies are named ${key}`);
    seen.add(key);
  }
}
