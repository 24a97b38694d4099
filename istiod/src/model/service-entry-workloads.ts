// ServiceEntry inline `endpoints` → one workload per IP endpoint (istiod's serviceEntryWorkloadBuilder). A
// ServiceEntry with a workloadSelector has no inline endpoints: its members are the selected pods and entries.
import type { Address } from '@mesh/common/wds';
import { entryWorkloadResource, parseEntrySpec } from './entry-spec.ts';
import { parseAddress } from './ip.ts';
import { invalidObject } from './model-error.ts';
import type { ServiceInfo } from './services.ts';
import { workloadPolicyKeys } from './policies.ts';
import type { CustomObject, XdsResource } from './types.ts';
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
    const entry = parseEntrySpec(ep, where, false);
    const services = Object.fromEntries(
      hosts.map((h) => [h.key, { ports: h.ports.map((p) => ({ service_port: p.port, target_port: entry.ports[p.name] ?? p.targetPort })) }]),
    );
    const parts = {
      uid: `${opts.clusterId}/networking.istio.io/ServiceEntry/${namespace}/${name}/${ip.text}`,
      name,
      namespace,
      ips: [ip],
      labels: entry.labels,
      services,
      authorizationPolicies: workloadPolicyKeys(ctx.policies, namespace, entry.labels, waypoint ? [waypoint] : []),
      waypoint,
    };
    out.push(entryWorkloadResource(entry, parts, opts));
  }
  return out;
}
