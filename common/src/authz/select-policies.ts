import type { Policy } from './policy.ts';

/** Which destination the policies are being selected for. */
export interface PolicySelector {
  /** Namespace of the destination workload. */
  readonly namespace: string;
  /** `namespace/name` keys the destination workload lists (istiod fills these from selectors). */
  readonly workloadPolicyNames: readonly string[];
}

/**
 * The policies that apply to a destination, in ztunnel's order: NAMESPACE-scoped policies of its namespace,
 * then GLOBAL ones (ztunnel files those under "" whatever their namespace), then the ones the workload names.
 * A name with no policy is skipped, as ztunnel does while a policy is in flight. Duplicates are dropped.
 */
export function selectPolicies(all: readonly Policy[], selector: PolicySelector): Policy[] {
  const byKey = new Map(all.map((p) => [p.key, p] as const));
  const chosen = [
    ...all.filter((p) => p.scope === 'NAMESPACE' && p.namespace === selector.namespace),
    ...all.filter((p) => p.scope === 'GLOBAL'),
    ...selector.workloadPolicyNames.map((k) => byKey.get(k)).filter((p): p is Policy => p !== undefined),
  ];
  return [...new Set(chosen)];
}
