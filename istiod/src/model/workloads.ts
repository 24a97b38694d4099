// Pods and WorkloadEntries → istio.workload.Workload resources.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Address, Locality, PortList, Workload } from '@mesh/common/wds';
import type { SliceMembership } from './endpoint-slices.ts';
import { entryWorkloadResource, parseEntrySpec } from './entry-spec.ts';
import { addressAlias, parseAddress, type ParsedIp } from './ip.ts';
import { ANNOTATION, LABEL } from './labels.ts';
import { invalidObject } from './model-error.ts';
import { type PolicyModel, workloadPolicyKeys } from './policies.ts';
import { podPortByName, workloadPorts } from './ports.ts';
import type { SelectorIndex } from './selector-index.ts';
import type { ServiceInfo } from './services.ts';
import type { MeshOptions, ModelIssue, XdsResource, CustomObject } from './types.ts';
import { isWaypointResource, type Waypoint, waypointFor } from './waypoints.ts';
import { canonicalService, workloadOwner } from './workload-meta.ts';

/** Label giving a pod's (or namespace's) network when it differs from the cluster's. */
const NETWORK_LABEL = 'topology.istio.io/network';

/** What building a workload reads besides the object. */
export interface WorkloadContext {
  readonly opts: MeshOptions;
  readonly namespaceLabels: (ns: string) => Readonly<Record<string, string>> | undefined;
  readonly nodes: ReadonlyMap<string, V1Node>;
  readonly waypoints: ReadonlyMap<string, Waypoint>;
  /** Services and ServiceEntry hosts with selectors, per namespace. */
  readonly servicesByNamespace: ReadonlyMap<string, SelectorIndex<ServiceInfo>>;
  readonly policies: PolicyModel;
  /** Pod `namespace/name` → selector-less services whose EndpointSlices list it. */
  readonly sliceServices: ReadonlyMap<string, readonly SliceMembership[]>;
  readonly issues: ModelIssue[];
}

/**
 * A pod → its Workload, or null when it has no IP yet or has terminated (Succeeded/Failed). A pod being
 * deleted stays, UNHEALTHY, until it is gone. Throws on bad fields (an unparsable IP).
 */
export function buildPodWorkload(pod: V1Pod, ctx: WorkloadContext): XdsResource<Address> | null {
  const name = pod.metadata?.name;
  const namespace = pod.metadata?.namespace;
  if (!name || !namespace) invalidObject('metadata.name and metadata.namespace are required');
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return null;
  const texts = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  if (texts.length === 0) return null;
  const ips = texts.map((t) => parseAddress(t) ?? invalidObject(`status.podIPs has ${JSON.stringify(t)}, which is not an IP address`));

  const { opts } = ctx;
  const labels = pod.metadata?.labels;
  const annotations = pod.metadata?.annotations;
  const nsLabels = ctx.namespaceLabels(namespace);
  const network = labels?.[NETWORK_LABEL] || nsLabels?.[NETWORK_LABEL] || opts.network;
  const owner = workloadOwner(name, pod.metadata?.generateName, pod.metadata?.ownerReferences, labels);
  const canonical = canonicalService(labels, owner.name);
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
  const memberships = ctx.sliceServices.get(`${namespace}/${name}`) ?? [];
  const services = matchingServices(ctx, namespace, labels);
  const waypoint = isWaypointResource(labels)
    ? null
    : waypointFor({ object: `Pod ${namespace}/${name}`, namespace, labels, namespaceLabels: nsLabels }, 'workload', ctx.waypoints, ctx.issues);
  const node = pod.spec?.nodeName ?? '';

  const workload: Workload = {
    uid: `${opts.clusterId}//Pod/${namespace}/${name}`,
    name,
    namespace,
    addresses: ips.map((ip) => ip.bytes),
    network,
    trust_domain: opts.trustDomain,
    service_account: pod.spec?.serviceAccountName || 'default',
    node,
    canonical_name: canonical.name,
    canonical_revision: canonical.revision,
    workload_type: owner.type,
    workload_name: owner.name,
    status: ready && !deleting ? 'HEALTHY' : 'UNHEALTHY',
    cluster_id: opts.clusterId,
    network_mode: pod.spec?.hostNetwork ? 'HOST_NETWORK' : 'STANDARD',
    services: portLists(services, (svc) => workloadPorts(svc.ports, (portName) => podPortByName(pod, portName)), memberships),
    authorization_policies: workloadPolicyKeys(
      ctx.policies,
      namespace,
      labels,
      waypointsInFront(waypoint, [...services, ...memberships.map((m) => m.service)]),
    ),
    ...tunnel(labels, annotations),
  };
  if (waypoint) workload.waypoint = waypoint.address;
  const locality = nodeLocality(ctx.nodes.get(node));
  if (locality) workload.locality = locality;
  return resource(workload, network, ips);
}

/**
 * A WorkloadEntry → its Workload (uid `<cluster>/networking.istio.io/WorkloadEntry/<ns>/<name>`). Its
 * `spec.labels` select services and policies; named service ports resolve through `spec.ports`. Throws on bad
 * fields, including an address that is not an IP (DNS names are not resolved).
 */
export function buildWorkloadEntry(we: CustomObject, ctx: WorkloadContext): XdsResource<Address> {
  const name = we.metadata?.name;
  const namespace = we.metadata?.namespace;
  if (!name || !namespace) invalidObject('metadata.name and metadata.namespace are required');
  const spec = (we.spec ?? {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) invalidObject('spec must be a mapping');
  const addressText = spec.address;
  if (addressText !== undefined && typeof addressText !== 'string') invalidObject('spec.address must be a string');
  const ips: ParsedIp[] = [];
  if (addressText) {
    ips.push(parseAddress(addressText) ?? invalidObject(`spec.address ${JSON.stringify(addressText)} is not an IP address (DNS names are not resolved)`));
  }
  const entry = parseEntrySpec(spec, 'spec', true);
  const labels = { ...(we.metadata?.labels ?? {}), ...entry.labels };
  const services = matchingServices(ctx, namespace, labels);
  const waypoint = waypointFor(
    { object: `WorkloadEntry ${namespace}/${name}`, namespace, labels: we.metadata?.labels, namespaceLabels: ctx.namespaceLabels(namespace) },
    'workload',
    ctx.waypoints,
    ctx.issues,
  );
  const byName = (portName: string): number | null => entry.ports[portName] ?? null;
  const parts = {
    uid: `${ctx.opts.clusterId}/networking.istio.io/WorkloadEntry/${namespace}/${name}`,
    name,
    namespace,
    ips,
    labels,
    services: portLists(services, (svc) =>
      svc.fromServiceEntry
        ? svc.ports.map((p) => ({ service_port: p.port, target_port: byName(p.name) ?? p.targetPort }))
        : workloadPorts(svc.ports, byName),
    ),
    authorizationPolicies: workloadPolicyKeys(ctx.policies, namespace, labels, waypointsInFront(waypoint, services)),
    tunnel: tunnel(we.metadata?.labels, we.metadata?.annotations),
    waypoint,
  };
  return entryWorkloadResource(entry, parts, ctx.opts);
}

function resource(workload: Workload, network: string, ips: readonly ParsedIp[]): XdsResource<Address> {
  return { name: workload.uid as string, aliases: ips.map((ip) => addressAlias(network, ip)), value: { workload } };
}

/** The services (and ServiceEntry hosts) in the namespace whose selector matches, sorted by key. */
function matchingServices(ctx: WorkloadContext, namespace: string, labels: Readonly<Record<string, string>> | undefined): ServiceInfo[] {
  const found = ctx.servicesByNamespace.get(namespace)?.matching(labels) ?? [];
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The `services` map, keys sorted; `memberships` (from EndpointSlices) carry their ports already. */
function portLists(
  services: readonly ServiceInfo[],
  ports: (svc: ServiceInfo) => PortList['ports'],
  memberships: readonly SliceMembership[] = [],
): Record<string, PortList> {
  const entries: [string, PortList][] = services.map((svc) => [svc.key, { ports: ports(svc) }]);
  for (const m of memberships) entries.push([m.service.key, { ports: m.ports }]);
  if (memberships.length) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

/** Waypoints traffic to this workload may come through: its services' and its own (own last), each once. */
function waypointsInFront(own: Waypoint | null, services: readonly ServiceInfo[]): Waypoint[] {
  const out: Waypoint[] = [];
  for (const svc of services) if (svc.waypoint && svc.waypoint !== own && !out.includes(svc.waypoint)) out.push(svc.waypoint);
  if (own) out.push(own);
  return out;
}

/**
 * HBONE once the node agent has enrolled the pod (annotation `ambient.istio.io/redirection: enabled`), or for
 * sidecars that accept HBONE natively (label `networking.istio.io/tunnel: http`).
 */
function tunnel(
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): Pick<Workload, 'tunnel_protocol' | 'native_tunnel'> {
  if (labels?.[LABEL.TUNNEL] === 'http') return { tunnel_protocol: 'HBONE', native_tunnel: true };
  if (annotations?.[ANNOTATION.REDIRECTION] === 'enabled') return { tunnel_protocol: 'HBONE' };
  return { tunnel_protocol: 'NONE' };
}

/** Region/zone/subzone from the node's topology labels; null when it has none. */
function nodeLocality(node: V1Node | undefined): Locality | null {
  const l = node?.metadata?.labels;
  const region = l?.[LABEL.TOPOLOGY_REGION] ?? '';
  const zone = l?.[LABEL.TOPOLOGY_ZONE] ?? '';
  const subzone = l?.[LABEL.TOPOLOGY_SUBZONE] ?? '';
  return region || zone || subzone ? { region, zone, subzone } : null;
}
