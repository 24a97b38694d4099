import { invalidPolicy } from './authz-error.ts';
import { type Authorization, emptyMatch, PRESENCE } from './authorization-parts.ts';

/** Name of the policy istiod sends whenever any PeerAuthentication exists (`_` cannot occur in Kubernetes names). */
export const STATIC_STRICT_POLICY_NAME = 'istio_converted_static_strict';

/**
 * The static STRICT policy: DENY any connection without a peer identity. istiod sends it (selector-scoped, so
 * only workloads that reference it are affected) as soon as one PeerAuthentication exists anywhere.
 */
export function staticStrictPolicy(rootNamespace: string): Authorization {
  return {
    name: STATIC_STRICT_POLICY_NAME,
    namespace: rootNamespace,
    scope: 'WORKLOAD_SELECTOR',
    action: 'DENY',
    groups: [{ rules: [{ matches: [emptyMatch({ not_principals: [{ ...PRESENCE }] })] }] }],
    dry_run: false,
    extensions: [],
  };
}

/** A waypoint as the implicit allow policy needs it. */
export interface WaypointRef {
  readonly namespace: string;
  readonly name: string;
  /** Service accounts the waypoint's pods run as (in the waypoint's namespace). */
  readonly serviceAccounts: readonly string[];
}

/** The name istiod gives the implicit "allow from this waypoint" policy. */
export function waypointAllowPolicyName(waypoint: Pick<WaypointRef, 'namespace' | 'name'>): string {
  return `istio_allow_waypoint_${waypoint.namespace}_${waypoint.name}`;
}

/**
 * The implicit ALLOW that lets a waypoint reach the workloads behind it even when their own ALLOW policies would
 * not (istiod's DefaultAllowFromWaypoint). Principals are the waypoint's identities without `spiffe://`. Null
 * when the waypoint has no service accounts, as in istiod.
 */
export function waypointAllowPolicy(waypoint: WaypointRef, trustDomain: string): Authorization | null {
  if (!trustDomain) invalidPolicy(`waypoint ${waypoint.namespace}/${waypoint.name}`, 'trust domain is empty');
  if (waypoint.serviceAccounts.length === 0) return null;
  return {
    name: waypointAllowPolicyName(waypoint),
    namespace: waypoint.namespace,
    scope: 'WORKLOAD_SELECTOR',
    action: 'ALLOW',
    groups: [
      {
        rules: [
          {
            matches: [
              emptyMatch({
                principals: waypoint.serviceAccounts.map((sa) => ({
                  exact: `${trustDomain}/ns/${waypoint.namespace}/sa/${sa}`,
                  match_type: 'exact' as const,
                })),
              }),
            ],
          },
        ],
      },
    ],
    dry_run: false,
    extensions: [],
  };
}
