// EndpointSlices for Services with a selector (pure): one IPv4 slice per Service, named `<service>-local`,
// with every scheduled pod that has an IP (ready or not, as the real controller does) and the Service's
// ports resolved to container ports.
import type { Obj } from '../cluster/kube-client.ts';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export function matchesSelector(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podReady(p: Obj): boolean {
  const conds = ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function containerPort(pod: Obj | undefined, name: string): number | undefined {
  const containers = ((pod?.spec as { containers?: { ports?: { name?: string; containerPort: number }[] }[] } | undefined)?.containers) ?? [];
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  return undefined;
}

/** The slice the Service should have, or undefined when it has no selector. */
export function desiredSlice(svc: Obj, pods: readonly Obj[]): Obj | undefined {
  const spec = (svc.spec ?? {}) as { selector?: Record<string, string>; ports?: ServicePort[] };
  if (!spec.selector || Object.keys(spec.selector).length === 0) return undefined;
  const ns = svc.metadata.namespace ?? 'default';
  const selected = pods
    .filter((p) => (p.metadata.namespace ?? 'default') === ns && matchesSelector(p.metadata.labels, spec.selector ?? {}))
    .filter((p) => (p.status as { podIP?: string } | undefined)?.podIP)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const ports = (spec.ports ?? []).map((p) => {
    const target = p.targetPort ?? p.port;
    const port = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : containerPort(selected[0], target);
    return { ...(p.name ? { name: p.name } : { name: '' }), port: port ?? p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc.metadata.name}-local`,
      namespace: ns,
      labels: { 'kubernetes.io/service-name': svc.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid ?? '', controller: true }],
    },
    addressType: 'IPv4',
    endpoints: selected.map((p) => {
      const ready = podReady(p) && !p.metadata.deletionTimestamp;
      return {
        addresses: [(p.status as { podIP: string }).podIP],
        conditions: { ready, serving: podReady(p), terminating: Boolean(p.metadata.deletionTimestamp) },
        nodeName: (p.spec as { nodeName?: string }).nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      };
    }),
    ports,
  };
}

/** True when the stored slice already says what `want` says. */
export function sliceEqual(have: Obj, want: Obj): boolean {
  return JSON.stringify([have['endpoints'] ?? [], have['ports'] ?? []]) === JSON.stringify([want['endpoints'], want['ports']]);
}
