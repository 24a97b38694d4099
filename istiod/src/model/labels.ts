// Label and annotation names the model reads (Istio's and Kubernetes' own spellings).

export const LABEL = {
  USE_WAYPOINT: 'istio.io/use-waypoint',
  USE_WAYPOINT_NAMESPACE: 'istio.io/use-waypoint-namespace',
  INGRESS_USE_WAYPOINT: 'istio.io/ingress-use-waypoint',
  WAYPOINT_FOR: 'istio.io/waypoint-for',
  GATEWAY_NAME: 'gateway.networking.k8s.io/gateway-name',
  CANONICAL_NAME: 'service.istio.io/canonical-name',
  CANONICAL_REVISION: 'service.istio.io/canonical-revision',
  K8S_APP_NAME: 'app.kubernetes.io/name',
  K8S_APP_VERSION: 'app.kubernetes.io/version',
  APP: 'app',
  VERSION: 'version',
  POD_TEMPLATE_HASH: 'pod-template-hash',
  TOPOLOGY_REGION: 'topology.kubernetes.io/region',
  TOPOLOGY_ZONE: 'topology.kubernetes.io/zone',
  TOPOLOGY_SUBZONE: 'topology.istio.io/subzone',
  TUNNEL: 'networking.istio.io/tunnel',
  SERVICE_NAME: 'kubernetes.io/service-name',
} as const;

export const ANNOTATION = {
  REDIRECTION: 'ambient.istio.io/redirection',
  TRAFFIC_DISTRIBUTION: 'networking.istio.io/traffic-distribution',
} as const;

/** The Gateway class that makes a Gateway a waypoint. */
export const WAYPOINT_CLASS = 'istio-waypoint';
/** Port waypoints (and ztunnels) accept HBONE on. */
export const HBONE_PORT = 15008;

/** True when every `selector` entry is among `labels` (Kubernetes matchLabels / Service selector semantics). */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const key in selector) {
    if (labels?.[key] !== selector[key]) return false;
  }
  return true;
}
