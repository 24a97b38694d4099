// Cluster DNS records (pure): A records for Services (`<svc>.<ns>.svc.cluster.local` and `<svc>.<ns>`);
// headless Services answer with their ready endpoints.
import type { Obj } from '../cluster/kube-client.ts';
import { CLUSTER_DOMAIN } from '../cluster/layout.ts';

/** Lower-case FQDN without the trailing dot → IPv4 addresses. */
export type DnsRecords = Record<string, string[]>;

export function dnsRecords(services: readonly Obj[], slices: readonly Obj[]): DnsRecords {
  const records: DnsRecords = {};
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name;
    const vip = (svc.spec as { clusterIP?: string } | undefined)?.clusterIP;
    let ips: string[] = [];
    if (vip && vip !== 'None') ips = [vip];
    else {
      for (const s of slices) {
        if (s.metadata.namespace !== ns || s.metadata.labels?.['kubernetes.io/service-name'] !== name) continue;
        for (const ep of (s['endpoints'] as { addresses: string[]; conditions?: { ready?: boolean } }[] | undefined) ?? []) {
          if (ep.conditions?.ready !== false) ips.push(...ep.addresses);
        }
      }
    }
    const fqdn = `${name}.${ns}.svc.${CLUSTER_DOMAIN}`.toLowerCase();
    records[fqdn] = ips;
    records[`${name}.${ns}`.toLowerCase()] = ips;
  }
  return records;
}
