// Which pods are captured (reference §7). Pure.
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';

export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
export const REDIRECTION_ANNOTATION = 'ambient.istio.io/redirection';
export const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';

export interface EnrollmentOptions {
  readonly excludeNamespaces: readonly string[];
  /** The mesh system namespace (ztunnel pods there are never captured). */
  readonly systemNamespace: string;
}

export interface Decision {
  readonly enroll: boolean;
  readonly reason: string;
}

/** Whether `pod` (in namespace `ns`, undefined when not known yet) belongs in the mesh. */
export function enrollmentDecision(pod: V1Pod, ns: V1Namespace | undefined, o: EnrollmentOptions): Decision {
  const namespace = pod.metadata?.namespace ?? '';
  const podMode = pod.metadata?.labels?.[DATAPLANE_MODE_LABEL];
  if (pod.spec?.hostNetwork) return { enroll: false, reason: 'host network pod' };
  if (o.excludeNamespaces.includes(namespace)) return { enroll: false, reason: `namespace ${namespace} is excluded` };
  if (pod.metadata?.annotations?.[SIDECAR_STATUS_ANNOTATION] !== undefined) return { enroll: false, reason: 'pod has a sidecar' };
  if (namespace === o.systemNamespace && pod.metadata?.labels?.['app'] === 'ztunnel') return { enroll: false, reason: 'ztunnel pod' };
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { enroll: false, reason: `pod phase ${phase}` };
  if (podMode === 'none') return { enroll: false, reason: `pod label ${DATAPLANE_MODE_LABEL}=none` };
  if (podMode === 'ambient') return { enroll: true, reason: `pod label ${DATAPLANE_MODE_LABEL}=ambient` };
  if (ns?.metadata?.labels?.[DATAPLANE_MODE_LABEL] === 'ambient') return { enroll: true, reason: `namespace label ${DATAPLANE_MODE_LABEL}=ambient` };
  return { enroll: false, reason: 'not labelled for ambient' };
}

/** The pod's IPs from its status (podIPs, else podIP). */
export function podIps(pod: V1Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}
