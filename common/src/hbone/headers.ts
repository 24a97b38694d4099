import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';

/** The source workload facts that go into the `baggage` header (ztunnel's baggage.rs keys). */
export interface BaggageSource {
  readonly cluster?: string;
  readonly namespace?: string;
  /** deployment, cronjob, pod or job. */
  readonly workloadType?: string;
  readonly workloadName?: string;
  readonly canonicalName?: string;
  readonly canonicalRevision?: string;
  readonly region?: string;
  readonly zone?: string;
}

/** `baggage`: comma-joined k=v of the source workload; absent keys are omitted. */
export function formatBaggage(src: BaggageSource): string {
  const pairs: [string, string | undefined][] = [
    ['k8s.cluster.name', src.cluster],
    ['k8s.namespace.name', src.namespace],
    [src.workloadType ? `k8s.${src.workloadType.toLowerCase()}.name` : '', src.workloadName],
    ['service.name', src.canonicalName],
    ['service.version', src.canonicalRevision],
    ['cloud.region', src.region],
    ['cloud.availability_zone', src.zone],
  ];
  return pairs
    .filter(([k, v]) => k !== '' && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Parses a `baggage` header back into its keys (used for destination labels in double HBONE and tests). */
export function parseBaggage(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    out.set(item.slice(0, eq).trim(), item.slice(eq + 1).split(';')[0]!.trim());
  }
  return out;
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `forwarded`: `for="<client ip:port>"`, plus `;host=<service FQDN>` when the target was a Service. */
export function formatForwarded(clientIp: string, clientPort: number, serviceHost?: string): string {
  const base = `for="${formatHostPort(clientIp, clientPort)}"`;
  return serviceHost ? `${base};host=${serviceHost}` : base;
}

/** A fresh W3C `traceparent` (`00-<32 hex>-<16 hex>-00`), random per proxied connection as ztunnel does. */
export function newTraceparent(): string {
  const bytes = randomBytes(24);
  return `00-${bytes.subarray(0, 16).toString('hex')}-${bytes.subarray(16).toString('hex')}-00`;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The server keeps the client's traceparent when it is well formed (exactly 55 chars), else makes its own. */
export function acceptTraceparent(header: string | undefined): string {
  return header !== undefined && header.length === 55 && TRACEPARENT.test(header) ? header : newTraceparent();
}
