// Builders for the Kubernetes objects the model tests feed in; each takes overrides for what a case varies.
import type { V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Workload } from '@mesh/common/wds';
import type { Service } from '@mesh/common/wds';
import { buildModel } from './build-model.ts';
import type { ClusterObjects, CustomObject, MeshModel, MeshOptions } from './types.ts';

export const OPTS: MeshOptions = {
  trustDomain: 'cluster.local',
  clusterId: 'Kubernetes',
  network: '',
  rootNamespace: 'istio-system',
  domainSuffix: 'cluster.local',
};

export function objects(partial: Partial<ClusterObjects> = {}): ClusterObjects {
  return {
    namespaces: [],
    pods: [],
    services: [],
    endpointSlices: [],
    serviceAccounts: [],
    nodes: [],
    gateways: [],
    authorizationPolicies: [],
    peerAuthentications: [],
    serviceEntries: [],
    workloadEntries: [],
    ...partial,
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): V1Namespace {
  return { metadata: { name, labels } };
}

export function node(name: string, labels: Record<string, string> = {}): V1Node {
  return { metadata: { name, labels } };
}

export interface PodOptions {
  namespace?: string;
  ip?: string | string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ready?: boolean;
  phase?: string;
  node?: string;
  serviceAccount?: string;
  hostNetwork?: boolean;
  generateName?: string;
  owner?: { kind: string; name: string };
  containerPorts?: { name: string; containerPort: number }[];
  deleting?: boolean;
}

export function pod(name: string, o: PodOptions = {}): V1Pod {
  const ips = o.ip === undefined ? ['10.244.1.5'] : Array.isArray(o.ip) ? o.ip : [o.ip];
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      annotations: o.annotations ?? {},
      generateName: o.generateName,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: 'x', controller: true }] : undefined,
      deletionTimestamp: o.deleting ? new Date(0) : undefined,
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      serviceAccountName: o.serviceAccount,
      hostNetwork: o.hostNetwork,
      containers: [{ name: 'app', ports: o.containerPorts }],
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export function service(
  name: string,
  o: {
    namespace?: string;
    clusterIP?: string;
    selector?: Record<string, string> | null;
    ports?: NonNullable<V1Service['spec']>['ports'];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    trafficDistribution?: string;
  } = {},
): V1Service {
  return {
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    spec: {
      clusterIP: o.clusterIP ?? '10.96.0.10',
      selector: o.selector === null ? undefined : (o.selector ?? { app: name }),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080 as never, protocol: 'TCP' }],
      trafficDistribution: o.trafficDistribution,
    },
  };
}

export function waypointGateway(name: string, namespace = 'default', waypointFor?: string): CustomObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace, labels: waypointFor ? { 'istio.io/waypoint-for': waypointFor } : {} },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

/** The workload built for `Kubernetes//Pod/<ns>/<name>`; fails the test when missing. */
export function workloadOf(model: MeshModel, ns: string, name: string): Workload {
  const res = model.addresses.get(`Kubernetes//Pod/${ns}/${name}`);
  if (!res?.value.workload) throw new Error(`no workload for pod ${ns}/${name}; issues: ${JSON.stringify(model.errors)}`);
  return res.value.workload;
}

/** The service built for `<ns>/<name>.<ns>.svc.cluster.local`; fails the test when missing. */
export function serviceOf(model: MeshModel, ns: string, name: string): Service {
  const res = model.addresses.get(`${ns}/${name}.${ns}.svc.cluster.local`);
  if (!res?.value.service) throw new Error(`no service ${ns}/${name}; issues: ${JSON.stringify(model.errors)}`);
  return res.value.service;
}

export function build(partial: Partial<ClusterObjects>, opts: Partial<MeshOptions> = {}): MeshModel {
  return buildModel(objects(partial), { ...OPTS, ...opts });
}
