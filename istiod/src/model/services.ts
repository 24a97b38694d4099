// Kubernetes Services and ServiceEntries → istio.workload.Service resources.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { Address, LoadBalancing, NetworkAddress } from '@mesh/common/wds';
import { addressAlias, parseAddress, parseAddressOrCidr, type ParsedIp } from './ip.ts';
import { ANNOTATION, LABEL } from './labels.ts';
import { invalidObject } from './model-error.ts';
import { appProtocolOf, isPort, type ServicePort, toWdsPorts } from './ports.ts';
import type { CustomObject, MeshOptions, ModelIssue, XdsResource } from './types.ts';
import { isWaypointResource, type Waypoint, waypointFor } from './waypoints.ts';

/** A built service, with what workloads need to list it in their `services` map. */
export interface ServiceInfo {
  /** `<namespace>/<hostname>`: resource name and key in Workload.services. */
  readonly key: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
  /** Pods (and WorkloadEntries) with all these labels are endpoints; null: none are (selector-less). */
  readonly selector: Readonly<Record<string, string>> | null;
  readonly waypoint: Waypoint | null;
  /** True for a ServiceEntry host (its ports are numeric; WorkloadEntries may remap them by port name). */
  readonly fromServiceEntry: boolean;
  readonly resource: XdsResource<Address>;
}

/** What building a service reads besides the object. */
export interface ServiceContext {
  readonly opts: MeshOptions;
  readonly namespaceLabels: (ns: string) => Readonly<Record<string, string>> | undefined;
  readonly waypoints: ReadonlyMap<string, Waypoint>;
  readonly issues: ModelIssue[];
}

const SERVICE_ACCOUNTS_ANNOTATION = 'alpha.istio.io/kubernetes-serviceaccounts';
const CANONICAL_SERVICE_ACCOUNTS_ANNOTATION = 'alpha.istio.io/canonical-serviceaccounts';

/** A Kubernetes Service; null for ExternalName services (no VIP, nothing for ztunnel). Throws on bad fields. */
export function buildKubeService(svc: V1Service, ctx: ServiceContext): ServiceInfo | null {
  const name = svc.metadata?.name;
  const namespace = svc.metadata?.namespace;
  if (!name || !namespace) invalidObject('metadata.name and metadata.namespace are required');
  if (svc.spec?.type === 'ExternalName') return null;
  const { opts } = ctx;
  const hostname = `${name}.${namespace}.svc.${opts.domainSuffix}`;

  const ips: ParsedIp[] = [];
  const clusterIps = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  for (const text of clusterIps) {
    if (text === 'None' || text === '') continue;
    ips.push(parseAddress(text) ?? invalidObject(`spec.clusterIPs has ${JSON.stringify(text)}, which is not an IP address`));
  }
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ingress.ip) continue;
    ips.push(parseAddress(ingress.ip) ?? invalidObject(`status.loadBalancer.ingress has ${JSON.stringify(ingress.ip)}, which is not an IP address`));
  }
  const ports = (svc.spec?.ports ?? []).map((p, i) => kubeServicePort(p, i));
  const waypoint = isWaypointResource(svc.metadata?.labels)
    ? null
    : waypointFor(
        { object: `Service ${namespace}/${name}`, namespace, labels: svc.metadata?.labels, namespaceLabels: ctx.namespaceLabels(namespace) },
        'service',
        ctx.waypoints,
        ctx.issues,
      );
  const selector = svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 ? svc.spec.selector : null;
  const families = svc.spec?.ipFamilies ?? [];
  const key = `${namespace}/${hostname}`;
  return {
    key,
    namespace,
    ports,
    selector,
    waypoint,
    fromServiceEntry: false,
    resource: {
      name: key,
      aliases: ips.map((ip) => addressAlias(opts.network, ip)),
      value: {
        service: {
          name,
          namespace,
          hostname,
          addresses: ips.map((ip) => networkAddress(opts.network, ip)),
          ports: toWdsPorts(ports),
          subject_alt_names: subjectAltNames(svc.metadata?.annotations, namespace, opts.trustDomain),
          waypoint: waypoint?.address ?? null,
          load_balancing: loadBalancing(svc.spec?.trafficDistribution, svc.metadata?.annotations, `Service ${namespace}/${name}`, ctx.issues),
          ingress_use_waypoint: ingressUseWaypoint(svc.metadata?.labels, ctx.namespaceLabels(namespace)),
          ip_families: families.length === 2 ? 'DUAL' : families[0] === 'IPv4' ? 'IPV4_ONLY' : families[0] === 'IPv6' ? 'IPV6_ONLY' : 'AUTOMATIC',
        },
      },
    },
  };
}

/** `istio.io/ingress-use-waypoint: "true"` on the service or its namespace: ingress gateways go through the waypoint. */
function ingressUseWaypoint(
  labels: Readonly<Record<string, string>> | undefined,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  return labels?.[LABEL.INGRESS_USE_WAYPOINT] === 'true' || namespaceLabels?.[LABEL.INGRESS_USE_WAYPOINT] === 'true';
}

function kubeServicePort(p: V1ServicePort, i: number): ServicePort {
  const where = `spec.ports[${i}]`;
  if (!isPort(p.port)) invalidObject(`${where}.port must be a port number 1-65535, got ${JSON.stringify(p.port)}`);
  let targetPort = p.port;
  let targetPortName = '';
  const t: unknown = p.targetPort;
  if (typeof t === 'number') {
    if (!isPort(t)) invalidObject(`${where}.targetPort must be a port number 1-65535 or a name, got ${t}`);
    targetPort = t;
  } else if (typeof t === 'string' && /^[0-9]+$/.test(t)) {
    const n = Number(t);
    if (!isPort(n)) invalidObject(`${where}.targetPort must be a port number 1-65535 or a name, got ${JSON.stringify(t)}`);
    targetPort = n;
  } else if (typeof t === 'string' && t !== '') {
    targetPort = 0;
    targetPortName = t;
  } else if (t !== undefined && t !== null && t !== '') {
    invalidObject(`${where}.targetPort must be a port number or a name, got ${JSON.stringify(t)}`);
  }
  return { name: p.name ?? '', port: p.port, targetPort, targetPortName, appProtocol: appProtocolOf(p.name, p.appProtocol, p.protocol) };
}

/** SANs from Istio's service annotations: Kubernetes service account names, or ready-made identities. */
function subjectAltNames(annotations: Readonly<Record<string, string>> | undefined, namespace: string, trustDomain: string): string[] {
  const out: string[] = [];
  const split = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const sa of split(annotations?.[SERVICE_ACCOUNTS_ANNOTATION])) out.push(`spiffe://${trustDomain}/ns/${namespace}/sa/${sa}`);
  out.push(...split(annotations?.[CANONICAL_SERVICE_ACCOUNTS_ANNOTATION]));
  return out;
}

/**
 * Locality-aware load balancing from `spec.trafficDistribution` (wins) or the annotation
 * `networking.istio.io/traffic-distribution`: PreferClose/PreferSameZone prefer the same network, region, zone
 * and subzone, failing over; PreferSameNode also the node. Null otherwise.
 */
export function loadBalancing(
  specValue: string | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
  object: string,
  issues: ModelIssue[],
): LoadBalancing | null {
  const close: LoadBalancing = { routing_preference: ['NETWORK', 'REGION', 'ZONE', 'SUBZONE'], mode: 'FAILOVER' };
  const node: LoadBalancing = { routing_preference: ['NETWORK', 'REGION', 'ZONE', 'SUBZONE', 'NODE'], mode: 'FAILOVER' };
  const pick = (v: string): LoadBalancing | null | undefined => {
    switch (v.toLowerCase()) {
      case 'preferclose':
      case 'prefersamezone':
        return close;
      case 'prefersamenode':
        return node;
      case 'any':
        return null;
      default:
        return undefined;
    }
  };
  if (specValue) {
    const lb = pick(specValue);
    if (lb !== undefined) return lb;
  }
  const ann = annotations?.[ANNOTATION.TRAFFIC_DISTRIBUTION];
  if (!ann) return null;
  const lb = pick(ann);
  if (lb === undefined) {
    issues.push({
      object,
      message: `annotation ${ANNOTATION.TRAFFIC_DISTRIBUTION} must be PreferClose, PreferSameZone, PreferSameNode or Any, got ${JSON.stringify(ann)}; ignored`,
    });
    return null;
  }
  return lb;
}

/**
 * A ServiceEntry → one service per host (resource `<namespace>/<host>`), with its addresses (IPs or CIDRs),
 * ports, SANs and waypoint. Throws on bad fields.
 */
export function buildServiceEntry(se: CustomObject, ctx: ServiceContext): ServiceInfo[] {
  const name = se.metadata?.name;
  const namespace = se.metadata?.namespace;
  if (!name || !namespace) invalidObject('metadata.name and metadata.namespace are required');
  const spec = asRecord(se.spec, 'spec');
  const hosts = stringList(spec.hosts, 'spec.hosts');
  if (hosts.length === 0) invalidObject('spec.hosts must list at least one host');
  const ips = stringList(spec.addresses, 'spec.addresses').map(
    (a) => parseAddressOrCidr(a) ?? invalidObject(`spec.addresses has ${JSON.stringify(a)}, which is not an IP address or CIDR`),
  );
  const ports = list(spec.ports, 'spec.ports').map((raw, i): ServicePort => {
    const p = asRecord(raw, `spec.ports[${i}]`);
    if (!isPort(p.number)) invalidObject(`spec.ports[${i}].number must be a port number 1-65535, got ${JSON.stringify(p.number)}`);
    if (p.targetPort !== undefined && p.targetPort !== 0 && !isPort(p.targetPort)) {
      invalidObject(`spec.ports[${i}].targetPort must be a port number 1-65535, got ${JSON.stringify(p.targetPort)}`);
    }
    const portName = typeof p.name === 'string' ? p.name : '';
    const protocol = typeof p.protocol === 'string' ? p.protocol : undefined;
    return {
      name: portName,
      port: p.number,
      targetPort: isPort(p.targetPort) ? p.targetPort : p.number,
      targetPortName: '',
      appProtocol: appProtocolOf(portName, protocol, protocol),
    };
  });
  const sans = stringList(spec.subjectAltNames, 'spec.subjectAltNames');
  const selectorLabels = spec.workloadSelector === undefined ? undefined : asRecord(spec.workloadSelector, 'spec.workloadSelector').labels;
  const selector = selectorLabels === undefined ? null : stringMap(selectorLabels, 'spec.workloadSelector.labels');
  const object = `ServiceEntry ${namespace}/${name}`;
  const waypoint = waypointFor(
    { object, namespace, labels: se.metadata?.labels, namespaceLabels: ctx.namespaceLabels(namespace) },
    'service',
    ctx.waypoints,
    ctx.issues,
  );
  const lb = loadBalancing(undefined, se.metadata?.annotations, object, ctx.issues);
  const { network } = ctx.opts;
  return hosts.map((hostname) => {
    const key = `${namespace}/${hostname}`;
    return {
      key,
      namespace,
      ports,
      selector: selector && Object.keys(selector).length > 0 ? selector : null,
      waypoint,
      fromServiceEntry: true,
      resource: {
        name: key,
        aliases: ips.map((ip) => addressAlias(network, ip)),
        value: {
          service: {
            name,
            namespace,
            hostname,
            addresses: ips.map((ip) => networkAddress(network, ip)),
            ports: toWdsPorts(ports),
            subject_alt_names: sans,
            waypoint: waypoint?.address ?? null,
            load_balancing: lb,
            ingress_use_waypoint: ingressUseWaypoint(se.metadata?.labels, ctx.namespaceLabels(namespace)),
          },
        },
      },
    };
  });
}

function networkAddress(network: string, ip: ParsedIp): NetworkAddress {
  return ip.length === undefined ? { network, address: ip.bytes } : { network, address: ip.bytes, length: ip.length };
}

function asRecord(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) invalidObject(`${field} must be a mapping`);
  return v as Record<string, unknown>;
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) invalidObject(`${field} must be a list`);
  return v;
}

function stringList(v: unknown, field: string): string[] {
  return list(v, field).map((s, i) => (typeof s === 'string' ? s : invalidObject(`${field}[${i}] must be a string`)));
}

/** A label map; throws naming the field when a value is not a string. */
export function stringMap(v: unknown, field: string): Record<string, string> {
  const r = asRecord(v, field);
  for (const [k, val] of Object.entries(r)) if (typeof val !== 'string') invalidObject(`${field}.${k} must be a string`);
  return r as Record<string, string>;
}
