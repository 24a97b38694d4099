// ServiceEntry inline `endpoints` → one workload per IP endpoint (istiod's serviceEntryWorkloadBuilder). A
// ServiceEntry with a workloadSelector has no inline endpoints: its members are the selected pods and entries.
import type { Address, Workload } from '@mesh/common/wds';
import { addressAlias, parseAddress } from './ip.ts';
import { invalidObject } from './model-error.ts';
import type { ServiceInfo } from './services.ts';
import { stringMap } from './services.ts';
import { workloadPolicyKeys } from './policies.ts';
import type { CustomObject, XdsResource } from './types.ts';
import { canonicalService } from './workload-meta.ts';
import type { WorkloadContext } from './workloads.ts';
import { waypointFor } from './waypoints.ts';

/**
 * The workloads of a ServiceEntry's inline endpoints (uid `<cluster>/networking.istio.io/ServiceEntry/<ns>/<name>/<address>`),
 * members of every host in `hosts`. Endpoints named by DNS name are left out (ztunnel gets no address for
 * them). Throws on bad fields.
 */
export function serviceEntryWorkloads(se: CustomObject, hosts: readonly ServiceInfo[], ctx: WorkloadContext): XdsResource<Address>[] {
  const name = se.metadata?.name ?? '';
  const namespace = se.metadata?.namespace ?? '';
  const spec = (se.spec ?? {}) as { endpoints?: unknown; workloadSelector?: unknown };
  if (spec.workloadSelector !== undefined || spec.endpoints === undefined) return [];
  if (!Array.isArray(spec.endpoints)) invalidObject('spec.endpoints must be a list');
  const { opts } = ctx;
  const waypoint = waypointFor(
    { object: `ServiceEntry ${namespace}/${name}`, namespace, labels: se.metadata?.labels, namespaceLabels: ctx.namespaceLabels(namespace) },
    'workload',
    ctx.waypoints,
    [],
  );
  const out: XdsResource<Address>[] = [];
  for (const [i, raw] of spec.endpoints.entries()) {
    const where = `spec.endpoints[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalidObject(`${where} must be a mapping`);
    const ep = raw as Record<string, unknown>;
    if (typeof ep.address !== 'string' || ep.address === '') invalidObject(`${where}.address is required`);
    const ip = parseAddress(ep.address);
    if (!ip) continue;
    const labels = stringMap(ep.labels, `${where}.labels`);
    const ports = ep.ports ?? {};
    if (typeof ports !== 'object' || Array.isArray(ports)) invalidObject(`${where}.ports must be a mapping of port names to numbers`);
    for (const [k, v] of Object.entries(ports)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) invalidObject(`${where}.ports.${k} must be a port number 1-65535`);
    }
    const str = (key: string) => (typeof ep[key] === 'string' ? (ep[key] as string) : '');
    const network = str('network') || opts.network;
    const canonical = canonicalService(labels, name);
    const uid = `${opts.clusterId}/networking.istio.io/ServiceEntry/${namespace}/${name}/${ip.text}`;
    const workload: Workload = {
      uid,
      name,
      namespace,
      addresses: [ip.bytes],
      network,
      trust_domain: opts.trustDomain,
      service_account: str('serviceAccount') || 'default',
      canonical_name: canonical.name,
      canonical_revision: canonical.revision,
      workload_type: 'POD',
      workload_name: name,
      status: 'HEALTHY',
      cluster_id: opts.clusterId,
      services: Object.fromEntries(
        hosts.map((h) => [h.key, { ports: h.ports.map((p) => ({ service_port: p.port, target_port: (ports as Record<string, number>)[p.name] ?? p.targetPort })) }]),
      ),
      authorization_policies: workloadPolicyKeys(ctx.policies, namespace, labels, waypoint ? [waypoint] : []),
    };
    if (waypoint) workload.waypoint = waypoint.address;
    const locality = str('locality');
    if (locality) {
      const [region = '', zone = '', subzone = ''] = locality.split('/');
      workload.locality = { region, zone, subzone };
    }
    if (typeof ep.weight === 'number' && ep.weight > 0) workload.capacity = { value: ep.weight };
    out.push({ name: uid, aliases: [addressAlias(network, ip)], value: { workload } });
  }
  return out;
}
