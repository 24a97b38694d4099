// The names istiod's own serving certificate carries: the in-cluster service names, loopback, and whatever
// ISTIOD_SERVING_SANS adds (entries that parse as IPs become IP SANs).
import { isIP } from 'node:net';

export interface ServingNames {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
}

export function servingNames(namespace: string, extra: readonly string[]): ServingNames {
  const all = [`istiod.${namespace}.svc`, 'istiod', 'localhost', '127.0.0.1', ...extra];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of new Set(all.map((n) => n.trim()).filter((n) => n !== ''))) {
    if (isIP(name) !== 0) ipAddresses.push(name);
    else dnsNames.push(name);
  }
  return { dnsNames, ipAddresses };
}
