// Waypoints (Gateways of class istio-waypoint) and which resources use them.
import type { V1Pod } from '@kubernetes/client-node';
import type { GatewayAddress } from '@mesh/common/wds';
import { HBONE_PORT, LABEL, WAYPOINT_CLASS } from './labels.ts';
import type { CustomObject, ModelIssue } from './types.ts';

/** Which traffic a waypoint takes (`istio.io/waypoint-for`). */
export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

export interface Waypoint {
  readonly namespace: string;
  readonly name: string;
  readonly trafficType: WaypointFor;
  readonly address: GatewayAddress;
  /** Service accounts of the waypoint's pods, sorted. */
  readonly serviceAccounts: readonly string[];
}

const TRAFFIC_TYPES: readonly string[] = ['service', 'workload', 'all', 'none'];

/** Waypoints by `namespace/name`. Pods are used for the waypoints' service accounts. */
export function collectWaypoints(
  gateways: readonly CustomObject[],
  podsByNamespace: ReadonlyMap<string, readonly V1Pod[]>,
  domainSuffix: string,
  issues: ModelIssue[],
): Map<string, Waypoint> {
  const out = new Map<string, Waypoint>();
  for (const gw of gateways) {
    const spec = gw.spec as { gatewayClassName?: unknown } | undefined;
    if (spec?.gatewayClassName !== WAYPOINT_CLASS) continue;
    const name = gw.metadata?.name;
    const namespace = gw.metadata?.namespace;
    if (!name || !namespace) {
      issues.push({ object: `Gateway ${namespace ?? ''}/${name ?? ''}`, message: 'metadata.name and metadata.namespace are required' });
      continue;
    }
    if (!hasHboneListener(gw.spec)) {
      // istiod refuses to deploy such a Gateway; bindings still point at it, so traffic fails instead of skipping policy.
      issues.push({ object: `Gateway ${namespace}/${name}`, message: `a waypoint must have a single listener on port ${HBONE_PORT} with protocol HBONE` });
    }
    let trafficType = gw.metadata?.labels?.[LABEL.WAYPOINT_FOR] ?? 'service';
    if (!TRAFFIC_TYPES.includes(trafficType)) {
      issues.push({
        object: `Gateway ${namespace}/${name}`,
        message: `label ${LABEL.WAYPOINT_FOR} must be one of ${TRAFFIC_TYPES.join(', ')}, got ${JSON.stringify(trafficType)}; using service`,
      });
      trafficType = 'service';
    }
    const serviceAccounts = new Set<string>();
    for (const pod of podsByNamespace.get(namespace) ?? []) {
      if (pod.metadata?.labels?.[LABEL.GATEWAY_NAME] === name) serviceAccounts.add(pod.spec?.serviceAccountName || 'default');
    }
    out.set(`${namespace}/${name}`, {
      namespace,
      name,
      trafficType: trafficType as WaypointFor,
      address: {
        hostname: { namespace, hostname: `${name}.${namespace}.svc.${domainSuffix}` },
        hbone_mtls_port: HBONE_PORT,
      },
      serviceAccounts: [...serviceAccounts].sort(),
    });
  }
  return out;
}

function hasHboneListener(spec: unknown): boolean {
  const listeners = (spec as { listeners?: unknown }).listeners;
  if (!Array.isArray(listeners) || listeners.length !== 1) return false;
  const l = listeners[0] as { port?: unknown; protocol?: unknown } | null;
  return l?.port === HBONE_PORT && l?.protocol === 'HBONE';
}

/** The resource asking for a waypoint. */
export interface WaypointUser {
  /** For messages: `Kind namespace/name`. */
  readonly object: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** Labels of the resource's Namespace. */
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
}

/**
 * The waypoint a service (`for: 'service'`) or workload (`for: 'workload'`) uses: the resource's own
 * `istio.io/use-waypoint` label beats its namespace's; `none` opts out. A waypoint that does not take this kind
 * of traffic is not used; a missing waypoint is reported.
 */
export function waypointFor(
  user: WaypointUser,
  kind: 'service' | 'workload',
  waypoints: ReadonlyMap<string, Waypoint>,
  issues: ModelIssue[],
): Waypoint | null {
  let source = user.labels;
  let fromResource = true;
  if (!source?.[LABEL.USE_WAYPOINT]) {
    source = user.namespaceLabels;
    fromResource = false;
  }
  const name = source?.[LABEL.USE_WAYPOINT];
  if (!name || name === 'none') return null;
  const namespace = source?.[LABEL.USE_WAYPOINT_NAMESPACE] || user.namespace;
  const wp = waypoints.get(`${namespace}/${name}`);
  if (!wp) {
    // A namespace-wide binding is reported once, on the Namespace (the model drops duplicate issues).
    issues.push({
      object: fromResource ? user.object : `Namespace ${user.namespace}`,
      message: `label ${LABEL.USE_WAYPOINT} names waypoint ${namespace}/${name}, which does not exist`,
    });
    return null;
  }
  if (wp.trafficType !== kind && wp.trafficType !== 'all') {
    // A namespace-wide binding simply does not apply to the other kind of traffic; a resource's own label is a mistake.
    if (fromResource) {
      issues.push({
        object: user.object,
        message: `label ${LABEL.USE_WAYPOINT} names waypoint ${namespace}/${name}, which is for ${wp.trafficType} traffic, not ${kind} traffic`,
      });
    }
    return null;
  }
  return wp;
}

/** True for the waypoint's own pods and Service: a waypoint never sits behind a waypoint. */
export function isWaypointResource(labels: Readonly<Record<string, string>> | undefined): boolean {
  return !!labels?.[LABEL.GATEWAY_NAME];
}
