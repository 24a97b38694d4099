import type { ResourceRegistry, ResourceTypeInput } from './registry.ts';

type Entry = [kind: string, resource: string, namespaced: boolean, extra?: Partial<ResourceTypeInput>];

const ALL = ['all'];

/** Kubernetes' own kinds the mesh uses. `custom: false` because they take strategic merge patches. */
const CORE: Record<string, Entry[]> = {
  '/v1': [
    ['Namespace', 'namespaces', false, { shortNames: ['ns'], hasStatus: true }],
    ['Pod', 'pods', true, { shortNames: ['po'], categories: ALL, hasStatus: true }],
    ['Service', 'services', true, { shortNames: ['svc'], categories: ALL, hasStatus: true }],
    ['Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }],
    ['ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }],
    ['Node', 'nodes', false, { shortNames: ['no'], hasStatus: true }],
    ['ConfigMap', 'configmaps', true, { shortNames: ['cm'] }],
    ['Secret', 'secrets', true],
    ['Event', 'events', true, { shortNames: ['ev'] }],
  ],
  'apps/v1': [['Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ALL, hasStatus: true }]],
  'discovery.k8s.io/v1': [['EndpointSlice', 'endpointslices', true]],
  'coordination.k8s.io/v1': [['Lease', 'leases', true]],
  'events.k8s.io/v1': [['Event', 'events', true, { shortNames: ['ev'] }]],
  'apiextensions.k8s.io/v1': [
    ['CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], hasStatus: true }],
  ],
};

const ISTIO = ['istio-io'];

/**
 * Istio and Gateway API kinds, served as if their CRDs were installed, so the mesh runs without an install
 * step. Creating a CustomResourceDefinition object registers any further kind the same way.
 */
const CUSTOM: Record<string, Entry[]> = {
  'security.istio.io/v1': [
    ['AuthorizationPolicy', 'authorizationpolicies', true, { shortNames: ['ap'], categories: [...ISTIO, 'security-istio-io'], hasStatus: true }],
    ['PeerAuthentication', 'peerauthentications', true, { shortNames: ['pa'], categories: [...ISTIO, 'security-istio-io'], hasStatus: true }],
    ['RequestAuthentication', 'requestauthentications', true, { shortNames: ['ra'], categories: [...ISTIO, 'security-istio-io'], hasStatus: true }],
  ],
  'networking.istio.io/v1': [
    ['VirtualService', 'virtualservices', true, { shortNames: ['vs'], categories: [...ISTIO, 'networking-istio-io'], hasStatus: true }],
    ['DestinationRule', 'destinationrules', true, { shortNames: ['dr'], categories: [...ISTIO, 'networking-istio-io'], hasStatus: true }],
    ['ServiceEntry', 'serviceentries', true, { shortNames: ['se'], categories: [...ISTIO, 'networking-istio-io'], hasStatus: true }],
    ['WorkloadEntry', 'workloadentries', true, { shortNames: ['we'], categories: [...ISTIO, 'networking-istio-io'], hasStatus: true }],
  ],
  'telemetry.istio.io/v1': [
    ['Telemetry', 'telemetries', true, { shortNames: ['telemetry'], categories: [...ISTIO, 'telemetry-istio-io'], hasStatus: true }],
  ],
  'gateway.networking.k8s.io/v1': [
    ['GatewayClass', 'gatewayclasses', false, { shortNames: ['gc'], categories: ['gateway-api'], hasStatus: true }],
    ['Gateway', 'gateways', true, { shortNames: ['gtw'], categories: ['gateway-api'], hasStatus: true }],
    ['HTTPRoute', 'httproutes', true, { categories: ['gateway-api'], hasStatus: true }],
    ['GRPCRoute', 'grpcroutes', true, { categories: ['gateway-api'], hasStatus: true }],
  ],
  'gateway.networking.k8s.io/v1alpha2': [
    ['TCPRoute', 'tcproutes', true, { categories: ['gateway-api'], hasStatus: true }],
    ['TLSRoute', 'tlsroutes', true, { categories: ['gateway-api'], hasStatus: true }],
  ],
};

function registerAll(registry: ResourceRegistry, table: Record<string, Entry[]>, custom: boolean): void {
  for (const [gv, entries] of Object.entries(table)) {
    const [group = '', version = ''] = gv.split('/');
    for (const [kind, resource, namespaced, extra] of entries) {
      registry.register({ group, version, kind, resource, namespaced, custom, ...extra });
    }
  }
}

/** Fills a registry with every kind the server serves from the start. */
export function registerBuiltinKinds(registry: ResourceRegistry): void {
  registerAll(registry, CORE, false);
  registerAll(registry, CUSTOM, true);
}
