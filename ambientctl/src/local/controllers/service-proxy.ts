// A minimal kube-proxy (pure): iptables-restore text for one node's netns that DNATs Service cluster IPs
// to ready endpoints (random balancing; a Service without ready endpoints gets no rule), and masquerades hairpin traffic (a pod reaching itself or a
// neighbour through a VIP) so replies come back through conntrack.
import type { Obj } from '../cluster/kube-client.ts';
import type { ServicePort } from './endpointslices.ts';

export const SERVICES_CHAIN = 'AL-SERVICES';
export const POSTROUTING_CHAIN = 'AL-POSTROUTING';

interface SlicePort {
  name?: string;
  port: number;
  protocol?: string;
}

interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean };
}

/** The nat table content for our chains (used with `iptables-restore --noflush`). */
export function serviceRules(services: readonly Obj[], slices: readonly Obj[], podCidr: string): string {
  const lines = ['*nat', `:${SERVICES_CHAIN} - [0:0]`, `:${POSTROUTING_CHAIN} - [0:0]`];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; ports?: ServicePort[] };
    const vip = spec.clusterIP;
    if (!vip || vip === 'None') continue;
    const mine = slices.filter(
      (s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name,
    );
    for (const sp of spec.ports ?? []) {
      const proto = (sp.protocol ?? 'TCP').toLowerCase();
      const targets: string[] = [];
      for (const slice of mine) {
        const port = ((slice['ports'] as SlicePort[] | undefined) ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''));
        if (!port) continue;
        for (const ep of (slice['endpoints'] as SliceEndpoint[] | undefined) ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const a of ep.addresses) targets.push(`${a}:${port.port}`);
        }
      }
      const match = `-d ${vip}/32 -p ${proto} -m ${proto} --dport ${sp.port}`;
      const comment = `-m comment --comment "${svc.metadata.namespace}/${svc.metadata.name}:${sp.name ?? sp.port}"`;
      targets.forEach((t, i) => {
        const left = targets.length - i;
        const stat = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(5)} ` : '';
        lines.push(`-A ${SERVICES_CHAIN} ${match} ${comment} ${stat}-j DNAT --to-destination ${t}`);
      });
    }
  }
  lines.push(`-A ${POSTROUTING_CHAIN} -s ${podCidr} -d ${podCidr} -m conntrack --ctstate DNAT -j MASQUERADE`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}
