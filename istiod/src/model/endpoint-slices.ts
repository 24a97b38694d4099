// EndpointSlices of Services without a selector: their endpoints are the service's only members. An endpoint
// that is a Pod adds the service to that pod's workload; any other address becomes a workload of its own
// (istiod's endpointSlicesBuilder), so ztunnel can reach e.g. the `kubernetes` Service's API servers.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Address, Port, Workload } from '@mesh/common/wds';
import { addressAlias, parseAddress } from './ip.ts';
import { LABEL } from './labels.ts';
import { invalidObject } from './model-error.ts';
import type { ServicePort } from './ports.ts';
import type { ServiceInfo } from './services.ts';
import type { MeshOptions, XdsResource } from './types.ts';

/** A selector-less service a pod is an endpoint of, with the pod's ports for it. */
export interface SliceMembership {
  readonly service: ServiceInfo;
  readonly ports: Port[];
}

/** What the EndpointSlices of one namespace contribute. */
export interface SliceResult {
  /** Pod `namespace/name` → services it is an endpoint of. */
  readonly podServices: Map<string, SliceMembership[]>;
  readonly workloads: XdsResource<Address>[];
}

/**
 * Reads one EndpointSlice. `service` is the selector-less Service named by its `kubernetes.io/service-name`
 * label (the caller skips slices of other services). Throws on bad fields (an unparsable address).
 */
export function readEndpointSlice(slice: V1EndpointSlice, service: ServiceInfo, opts: MeshOptions, into: SliceResult): void {
  const name = slice.metadata?.name;
  const namespace = slice.metadata?.namespace;
  if (!name || !namespace) invalidObject('metadata.name and metadata.namespace are required');
  if (slice.addressType === 'FQDN') return;
  const ports = slicePorts(service.ports, slice);
  const seen = new Set<string>();
  // Collected first and added at the end, so a bad slice contributes nothing.
  const pods: string[] = [];
  const workloads: XdsResource<Address>[] = [];
  for (const [i, ep] of (slice.endpoints ?? []).entries()) {
    if (ep.targetRef?.kind === 'Pod' && ep.targetRef.name) {
      pods.push(`${ep.targetRef.namespace || namespace}/${ep.targetRef.name}`);
      continue;
    }
    for (const text of ep.addresses ?? []) {
      const ip = parseAddress(text) ?? invalidObject(`endpoints[${i}].addresses has ${JSON.stringify(text)}, which is not an IP address`);
      if (seen.has(ip.text)) continue;
      seen.add(ip.text);
      const uid = `${opts.clusterId}/discovery.k8s.io/EndpointSlice/${namespace}/${name}/${ip.text}`;
      const workload: Workload = {
        uid,
        name,
        namespace,
        addresses: [ip.bytes],
        network: opts.network,
        trust_domain: opts.trustDomain,
        services: { [service.key]: { ports } },
        status: ep.conditions?.ready === false ? 'UNHEALTHY' : 'HEALTHY',
        cluster_id: opts.clusterId,
      };
      workloads.push({ name: uid, aliases: [addressAlias(opts.network, ip)], value: { workload } });
    }
  }
  into.workloads.push(...workloads);
  for (const key of pods) {
    const list = into.podServices.get(key) ?? [];
    if (!list.some((m) => m.service === service)) list.push({ service, ports });
    into.podServices.set(key, list);
  }
}

/** The Service `namespace/name` an EndpointSlice belongs to, or null. */
export function sliceServiceName(slice: V1EndpointSlice): string | null {
  const svc = slice.metadata?.labels?.[LABEL.SERVICE_NAME];
  return svc && slice.metadata?.namespace ? `${slice.metadata.namespace}/${svc}` : null;
}

/** Service ports mapped to the slice's ports by port name (the EndpointSlice controller copies the names). */
function slicePorts(ports: readonly ServicePort[], slice: V1EndpointSlice): Port[] {
  const out: Port[] = [];
  for (const sp of ports) {
    const match = slice.ports?.find((p) => (p.name ?? '') === sp.name);
    if (match?.port !== undefined) out.push({ service_port: sp.port, target_port: match.port });
  }
  return out;
}
