import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Authorization } from '@mesh/common/authz';
import { errorMessage } from '@mesh/common/errors';
import type { Address } from '@mesh/common/wds';
import { readEndpointSlice, type SliceResult, sliceServiceName } from './endpoint-slices.ts';
import { buildPolicies } from './policies.ts';
import { SelectorIndex } from './selector-index.ts';
import { buildKubeService, buildServiceEntry, type ServiceContext, type ServiceInfo } from './services.ts';
import { serviceEntryWorkloads } from './service-entry-workloads.ts';
import type { ClusterObjects, CustomObject, MeshModel, MeshOptions, ModelIssue, XdsResource } from './types.ts';
import { collectWaypoints } from './waypoints.ts';
import { buildPodWorkload, buildWorkloadEntry, type WorkloadContext } from './workloads.ts';

/**
 * Builds every Address (workloads and services) and Authorization resource from the cluster's objects. Pure:
 * the same objects give the same model. A bad object is skipped with an issue naming it; the rest is built.
 * Pods and services are indexed by namespace (and services by selector label), so the cost grows with the
 * number of objects, not with pods × services.
 */
export function buildModel(input: ClusterObjects, opts: MeshOptions): MeshModel {
  const objects = withDefaults(input);
  const issues: ModelIssue[] = [];
  const addresses = new Map<string, XdsResource<Address>>();
  const authorizations = new Map<string, XdsResource<Authorization>>();

  const namespaceLabels = new Map<string, Readonly<Record<string, string>> | undefined>();
  for (const ns of objects.namespaces) if (ns.metadata?.name) namespaceLabels.set(ns.metadata.name, ns.metadata.labels);
  const nodes = new Map<string, V1Node>();
  for (const node of objects.nodes) if (node.metadata?.name) nodes.set(node.metadata.name, node);
  const podsByNamespace = new Map<string, V1Pod[]>();
  for (const pod of objects.pods) {
    const ns = pod.metadata?.namespace ?? '';
    const list = podsByNamespace.get(ns);
    if (list) list.push(pod);
    else podsByNamespace.set(ns, [pod]);
  }

  const waypoints = collectWaypoints(objects.gateways, podsByNamespace, opts.domainSuffix, issues);
  const serviceCtx: ServiceContext = { opts, namespaceLabels: (ns) => namespaceLabels.get(ns), waypoints, issues };
  const servicesByNamespace = new Map<string, SelectorIndex<ServiceInfo>>();
  const addService = (info: ServiceInfo, object: string) => {
    if (addresses.has(info.key)) {
      issues.push({ object, message: `service ${info.key} is already defined by another object; this one is ignored` });
      return;
    }
    addresses.set(info.key, info.resource);
    if (!info.selector) return;
    let index = servicesByNamespace.get(info.namespace);
    if (!index) servicesByNamespace.set(info.namespace, (index = new SelectorIndex()));
    index.add(info.selector, info);
  };
  const selectorless = new Map<string, ServiceInfo>();
  for (const svc of objects.services) {
    const object = describe('Service', svc.metadata);
    guard(issues, object, () => {
      const info = buildKubeService(svc, serviceCtx);
      if (!info) return;
      addService(info, object);
      if (!info.selector && addresses.get(info.key) === info.resource) selectorless.set(`${info.namespace}/${svc.metadata?.name}`, info);
    });
  }
  const entryHosts: { se: CustomObject; hosts: ServiceInfo[] }[] = [];
  for (const se of objects.serviceEntries) {
    const object = describe('ServiceEntry', se.metadata);
    guard(issues, object, () => {
      const hosts = buildServiceEntry(se, serviceCtx);
      for (const info of hosts) addService(info, object);
      entryHosts.push({ se, hosts: hosts.filter((h) => addresses.get(h.key) === h.resource) });
    });
  }

  const policies = buildPolicies(
    objects.authorizationPolicies,
    objects.peerAuthentications,
    waypoints.values(),
    { rootNamespace: opts.rootNamespace, trustDomain: opts.trustDomain },
    issues,
  );
  for (const policy of policies.authorizations) {
    const name = `${policy.namespace}/${policy.name}`;
    authorizations.set(name, { name, aliases: [], value: policy });
  }

  // Only selector-less Services take their members from EndpointSlices; the others are matched by selector.
  const slices: SliceResult = { podServices: new Map(), workloads: [] };
  for (const slice of objects.endpointSlices) {
    const service = selectorless.get(sliceServiceName(slice) ?? '');
    if (!service) continue;
    guard(issues, describe('EndpointSlice', slice.metadata), () => readEndpointSlice(slice, service, opts, slices));
  }

  const workloadCtx: WorkloadContext = { ...serviceCtx, nodes, servicesByNamespace, policies, sliceServices: slices.podServices };
  const addWorkload = (res: XdsResource<Address> | null, object: string) => {
    if (!res) return;
    if (addresses.has(res.name)) {
      issues.push({ object, message: `workload ${res.name} appears twice; the second copy is ignored` });
      return;
    }
    addresses.set(res.name, res);
  };
  for (const pod of objects.pods) {
    const object = describe('Pod', pod.metadata);
    guard(issues, object, () => addWorkload(buildPodWorkload(pod, workloadCtx), object));
  }
  for (const we of objects.workloadEntries) {
    const object = describe('WorkloadEntry', we.metadata);
    guard(issues, object, () => addWorkload(buildWorkloadEntry(we, workloadCtx), object));
  }
  for (const { se, hosts } of entryHosts) {
    const object = describe('ServiceEntry', se.metadata);
    guard(issues, object, () => {
      for (const res of serviceEntryWorkloads(se, hosts, workloadCtx)) addWorkload(res, object);
    });
  }
  for (const res of slices.workloads) addWorkload(res, `EndpointSlice ${res.value.workload?.namespace}/${res.value.workload?.name}`);

  return { addresses, authorizations, errors: dedupe(issues) };
}

/** A kind whose CRD is not installed may come as undefined; treat it as empty. */
function withDefaults(o: Partial<ClusterObjects>): ClusterObjects {
  return {
    namespaces: o.namespaces ?? [],
    pods: o.pods ?? [],
    services: o.services ?? [],
    endpointSlices: o.endpointSlices ?? [],
    serviceAccounts: o.serviceAccounts ?? [],
    nodes: o.nodes ?? [],
    gateways: o.gateways ?? [],
    authorizationPolicies: o.authorizationPolicies ?? [],
    peerAuthentications: o.peerAuthentications ?? [],
    serviceEntries: o.serviceEntries ?? [],
    workloadEntries: o.workloadEntries ?? [],
  };
}

/** Runs the conversion of one object; anything it throws becomes an issue about that object. */
function guard(issues: ModelIssue[], object: string, build: () => void): void {
  try {
    build();
  } catch (err) {
    issues.push({ object, message: errorMessage(err) });
  }
}

function describe(kind: string, meta: { name?: string; namespace?: string } | undefined): string {
  return `${kind} ${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** Namespace-wide problems are reported by every resource that inherits them; keep one of each. */
function dedupe(issues: readonly ModelIssue[]): ModelIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.object}\n${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
