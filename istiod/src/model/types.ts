// The model's inputs and outputs. Inputs are plain Kubernetes objects (as informers hand them over); outputs are
// the WDS resources istiod sends ztunnels, keyed by resource name.
import type {
  V1EndpointSlice,
  V1Namespace,
  V1Node,
  V1Pod,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Authorization } from '@mesh/common/authz';
import type { Address } from '@mesh/common/wds';

/** A custom resource (Gateway API, Istio): metadata plus a spec the model reads field by field. */
export interface CustomObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly creationTimestamp?: string | Date;
    readonly deletionTimestamp?: string | Date;
  };
  readonly spec?: unknown;
  readonly status?: unknown;
}

/** Everything the model reads. Lists may be in any order; missing kinds are empty lists. */
export interface ClusterObjects {
  readonly namespaces: readonly V1Namespace[];
  readonly pods: readonly V1Pod[];
  readonly services: readonly V1Service[];
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly serviceAccounts: readonly V1ServiceAccount[];
  readonly nodes: readonly V1Node[];
  /** gateway.networking.k8s.io Gateways; those of class `istio-waypoint` are waypoints. */
  readonly gateways: readonly CustomObject[];
  /** security.istio.io */
  readonly authorizationPolicies: readonly CustomObject[];
  readonly peerAuthentications: readonly CustomObject[];
  /** networking.istio.io */
  readonly serviceEntries: readonly CustomObject[];
  readonly workloadEntries: readonly CustomObject[];
}

/** Mesh-wide settings the model needs. */
export interface MeshOptions {
  readonly trustDomain: string;
  /** Cluster id in workload uids (`Kubernetes` by default). */
  readonly clusterId: string;
  /** Network of this cluster ('' by default); prefixes every address alias. */
  readonly network: string;
  /** Istio's root namespace (`istio-system`): its policies are mesh-wide. */
  readonly rootNamespace: string;
  /** DNS suffix of service hostnames (`cluster.local`). */
  readonly domainSuffix: string;
}

/** One xDS resource: its name, its aliases (`<network>/<ip>`), and the proto object ProtoCodec encodes. */
export interface XdsResource<T> {
  readonly name: string;
  readonly aliases: string[];
  readonly value: T;
}

/** An object the model skipped or could only partly use, and why. */
export interface ModelIssue {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly message: string;
}

/** What istiod serves: `istio.workload.Address` and `istio.security.Authorization` resources by name. */
export interface MeshModel {
  /** Workloads by uid, services by `<namespace>/<hostname>`. */
  readonly addresses: Map<string, XdsResource<Address>>;
  /** Policies by `<namespace>/<name>`. */
  readonly authorizations: Map<string, XdsResource<Authorization>>;
  readonly errors: ModelIssue[];
}
