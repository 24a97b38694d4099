// ztunnel's own model of the mesh, converted from WDS at the edge (convert.ts). Everything here is plain,
// immutable data; the proxies read it through StateView.

/** A waypoint or gateway reference: a service hostname to resolve, or a direct address. */
export type GatewayRef =
  | { readonly kind: 'hostname'; readonly namespace: string; readonly hostname: string; readonly port: number }
  | { readonly kind: 'address'; readonly network: string; readonly ip: string; readonly port: number };

/** service port → target port (0 = same as the service port). */
export interface PortMapping {
  readonly servicePort: number;
  readonly targetPort: number;
}

export interface Workload {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  /** IP literals. */
  readonly addresses: readonly string[];
  readonly network: string;
  /** HBONE when the workload's ztunnel (or a sidecar) accepts HBONE on 15008. */
  readonly tunnel: 'HBONE' | 'NONE';
  readonly trustDomain: string;
  readonly serviceAccount: string;
  readonly waypoint: GatewayRef | null;
  readonly node: string;
  readonly canonicalName: string;
  readonly canonicalRevision: string;
  /** deployment, cronjob, pod or job. */
  readonly workloadType: string;
  readonly workloadName: string;
  /** `ns/name` keys of the selector-scoped policies that apply. */
  readonly authorizationPolicies: readonly string[];
  readonly healthy: boolean;
  readonly clusterId: string;
  /** `namespace/hostname` → ports of that service on this workload. */
  readonly services: Readonly<Record<string, readonly PortMapping[]>>;
  /** Load-balancing weight (default 1). */
  readonly capacity: number;
  readonly region: string;
  readonly zone: string;
}

export interface NetworkIp {
  readonly network: string;
  readonly ip: string;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly vips: readonly NetworkIp[];
  readonly ports: readonly PortMapping[];
  readonly subjectAltNames: readonly string[];
  readonly waypoint: GatewayRef | null;
  /** PASSTHROUGH lets traffic with no endpoint go to the original destination. */
  readonly lbMode: 'UNSPECIFIED' | 'STRICT' | 'FAILOVER' | 'PASSTHROUGH';
  /** ALLOW_ALL sends to unhealthy endpoints too. */
  readonly allowUnhealthy: boolean;
}

/** `namespace/hostname`, the key of a service in WDS and in Workload.services. */
export function serviceKey(s: Pick<Service, 'namespace' | 'hostname'>): string {
  return `${s.namespace}/${s.hostname}`;
}

/** The SPIFFE URI of a workload. */
export function workloadIdentity(w: Pick<Workload, 'trustDomain' | 'namespace' | 'serviceAccount'>): string {
  return `spiffe://${w.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`;
}
