// The WorkloadEntry-shaped spec read from a WorkloadEntry's `spec` and from each ServiceEntry `spec.endpoints[i]`:
// its fields checked and parsed, and the Workload resource both build from them. `address` stays with the
// callers: a WorkloadEntry needs an IP there, while a ServiceEntry endpoint named by DNS name is skipped.
import type { Address, PortList, Workload } from '@mesh/common/wds';
import { addressAlias, type ParsedIp } from './ip.ts';
import { invalidObject } from './model-error.ts';
import { stringMap } from './services.ts';
import type { MeshOptions, XdsResource } from './types.ts';
import type { Waypoint } from './waypoints.ts';
import { canonicalService } from './workload-meta.ts';

/** The spec's fields besides `address`. */
export interface EntrySpec {
  /** `labels` (the spec's own only). */
  readonly labels: Record<string, string>;
  /** `ports`: port name → port number (1-65535). */
  readonly ports: Readonly<Record<string, number>>;
  /** `network`, `serviceAccount` and `locality` (`region/zone/subzone`); '' when unset. */
  readonly network: string;
  readonly serviceAccount: string;
  readonly locality: string;
  /** `weight` when it is a number. */
  readonly weight: number | undefined;
}

/**
 * Checks and parses `spec` (named `where` in errors, e.g. `spec` or `spec.endpoints[0]`). Labels and ports are
 * always checked. `strict` (WorkloadEntry) also rejects a `weight` that is not a non-negative integer and a
 * `network`/`serviceAccount`/`locality` that is not a string; otherwise (ServiceEntry endpoints) such values are
 * ignored. Throws on bad fields.
 */
export function parseEntrySpec(spec: Readonly<Record<string, unknown>>, where: string, strict: boolean): EntrySpec {
  const labels = stringMap(spec.labels, `${where}.labels`);
  const ports = spec.ports ?? {};
  if (typeof ports !== 'object' || Array.isArray(ports)) invalidObject(`${where}.ports must be a mapping of port names to numbers`);
  for (const [k, v] of Object.entries(ports)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) invalidObject(`${where}.ports.${k} must be a port number 1-65535`);
  }
  const weight = spec.weight;
  if (strict && weight !== undefined && (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0)) {
    invalidObject(`${where}.weight must be a non-negative integer`);
  }
  const str = (key: string): string => {
    const v = spec[key];
    if (typeof v === 'string') return v;
    if (strict && v !== undefined) invalidObject(`${where}.${key} must be a string`);
    return '';
  };
  return {
    labels,
    ports: ports as Record<string, number>,
    network: str('network'),
    serviceAccount: str('serviceAccount'),
    locality: str('locality'),
    weight: typeof weight === 'number' ? weight : undefined,
  };
}

/** What an entry's Workload takes besides its spec. */
export interface EntryWorkloadParts {
  readonly uid: string;
  /** The WorkloadEntry's or ServiceEntry's name: the workload name and the default canonical name. */
  readonly name: string;
  readonly namespace: string;
  readonly ips: readonly ParsedIp[];
  /** Labels giving the canonical service name and revision. */
  readonly labels: Readonly<Record<string, string>>;
  readonly services: Record<string, PortList>;
  readonly authorizationPolicies: string[];
  /** Tunnel fields, when the entry has them (WorkloadEntry). */
  readonly tunnel?: Pick<Workload, 'tunnel_protocol' | 'native_tunnel'>;
  readonly waypoint: Waypoint | null;
}

/**
 * The entry's Workload resource (named by `uid`, aliased `<network>/<ip>` per address): a healthy POD-type
 * workload whose network and service account default to the mesh network and `default`, with the spec's
 * locality, and its weight as capacity when positive.
 */
export function entryWorkloadResource(spec: EntrySpec, parts: EntryWorkloadParts, opts: MeshOptions): XdsResource<Address> {
  const { uid, name, namespace, ips, waypoint } = parts;
  const network = spec.network || opts.network;
  const canonical = canonicalService(parts.labels, name);
  const workload: Workload = {
    uid,
    name,
    namespace,
    addresses: ips.map((ip) => ip.bytes),
    network,
    trust_domain: opts.trustDomain,
    service_account: spec.serviceAccount || 'default',
    canonical_name: canonical.name,
    canonical_revision: canonical.revision,
    workload_type: 'POD',
    workload_name: name,
    status: 'HEALTHY',
    cluster_id: opts.clusterId,
    services: parts.services,
    authorization_policies: parts.authorizationPolicies,
    ...parts.tunnel,
  };
  if (waypoint) workload.waypoint = waypoint.address;
  if (spec.locality) {
    const [region = '', zone = '', subzone = ''] = spec.locality.split('/');
    workload.locality = { region, zone, subzone };
  }
  if (spec.weight !== undefined && spec.weight > 0) workload.capacity = { value: spec.weight };
  return { name: uid, aliases: ips.map((ip) => addressAlias(network, ip)), value: { workload } };
}
