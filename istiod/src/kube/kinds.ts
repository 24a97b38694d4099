// The Kubernetes kinds istiod watches, and where each one lands in the cluster snapshot.

/** Keys of the cluster snapshot the model is built from, one per watched kind. */
export type ClusterObjectKey =
  | 'namespaces'
  | 'pods'
  | 'services'
  | 'endpointSlices'
  | 'serviceAccounts'
  | 'nodes'
  | 'gateways'
  | 'authorizationPolicies'
  | 'peerAuthentications'
  | 'serviceEntries'
  | 'workloadEntries';

/** One watched kind: its snapshot key and the collection path (all namespaces) to list and watch. */
export interface WatchedKind {
  readonly key: ClusterObjectKey;
  /** `Kind` as in the API, for logs and metrics. */
  readonly kind: string;
  /** e.g. `/api/v1/pods` or `/apis/security.istio.io/v1/authorizationpolicies`. */
  readonly path: string;
  /** Custom resources may be absent from a cluster (CRD not installed); istiod runs without them. */
  readonly optional: boolean;
}

function core(key: ClusterObjectKey, kind: string, resource: string): WatchedKind {
  return { key, kind, path: `/api/v1/${resource}`, optional: false };
}

function group(key: ClusterObjectKey, kind: string, groupVersion: string, resource: string, optional: boolean): WatchedKind {
  return { key, kind, path: `/apis/${groupVersion}/${resource}`, optional };
}

/** Every kind the model needs. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  core('namespaces', 'Namespace', 'namespaces'),
  core('pods', 'Pod', 'pods'),
  core('services', 'Service', 'services'),
  group('endpointSlices', 'EndpointSlice', 'discovery.k8s.io/v1', 'endpointslices', false),
  core('serviceAccounts', 'ServiceAccount', 'serviceaccounts'),
  core('nodes', 'Node', 'nodes'),
  group('gateways', 'Gateway', 'gateway.networking.k8s.io/v1', 'gateways', true),
  group('authorizationPolicies', 'AuthorizationPolicy', 'security.istio.io/v1', 'authorizationpolicies', true),
  group('peerAuthentications', 'PeerAuthentication', 'security.istio.io/v1', 'peerauthentications', true),
  group('serviceEntries', 'ServiceEntry', 'networking.istio.io/v1', 'serviceentries', true),
  group('workloadEntries', 'WorkloadEntry', 'networking.istio.io/v1', 'workloadentries', true),
];
