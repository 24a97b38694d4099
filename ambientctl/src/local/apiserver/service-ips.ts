import { ApiError } from './errors.ts';
import type { KubeObject, ObjectStore } from './store.ts';

/** The default service CIDR, as kubeadm clusters use; `.1` goes to the `kubernetes` service. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function invalidIp(svc: KubeObject, message: string): ApiError {
  const name = svc.metadata.name ?? '';
  return new ApiError(422, 'Invalid', `Service "${name}" is invalid: spec.clusterIPs: ${message}`, {
    name,
    kind: 'Service',
    causes: [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message }],
  });
}

/**
 * Allocates Service cluster IPs from one IPv4 CIDR, as the real API server does on create (it is not a
 * controller there either). Addresses in use are read from the stored Services, so restarts need no state.
 */
export class ServiceIpAllocator {
  readonly #base: number;
  readonly #size: number;
  readonly #store: ObjectStore;
  #next = 2;

  constructor(cidr: string, store: ObjectStore) {
    const [ip = '', bitsText = ''] = cidr.split('/');
    const base = ipToInt(ip);
    const bits = Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`service CIDR "${cidr}" is not an IPv4 CIDR between /8 and /30`);
    this.#size = 2 ** (32 - bits);
    this.#base = base - (base % this.#size);
    this.#store = store;
  }

  /** The first usable address, reserved for the `kubernetes` service. */
  get apiServerIp(): string {
    return intToIp(this.#base + 1);
  }

  #inUse(): Set<string> {
    const used = new Set<string>();
    for (const s of this.#store.list('/services')) {
      const spec = (s['spec'] ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
      for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])]) if (ip) used.add(ip);
    }
    return used;
  }

  /** Fills `spec.clusterIP(s)` and the related defaults of a Service being created. */
  assign(svc: KubeObject): KubeObject {
    const spec: Record<string, unknown> = { ...((svc['spec'] ?? {}) as Record<string, unknown>) };
    const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
    spec['type'] = type;
    spec['sessionAffinity'] ??= 'None';
    if (Array.isArray(spec['ports'])) {
      spec['ports'] = spec['ports'].map((p: Record<string, unknown>) => ({ protocol: 'TCP', targetPort: p['port'], ...p }));
    }
    if (type === 'ExternalName') return { ...svc, spec };
    const requested = (spec['clusterIP'] as string | undefined) || (spec['clusterIPs'] as string[] | undefined)?.[0] || '';
    let ip: string;
    if (requested === 'None') {
      ip = 'None';
    } else if (requested) {
      const n = ipToInt(requested);
      if (n === undefined || n <= this.#base || n >= this.#base + this.#size - 1) {
        throw invalidIp(svc, `Invalid value: "${requested}": provided IP is not in the valid range`);
      }
      if (this.#inUse().has(requested)) throw invalidIp(svc, `Invalid value: "${requested}": provided IP is already allocated`);
      ip = requested;
    } else {
      ip = this.#allocate();
    }
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
    if (ip !== 'None') {
      spec['ipFamilies'] = ['IPv4'];
      spec['ipFamilyPolicy'] = 'SingleStack';
    }
    return { ...svc, spec };
  }

  /** On update, the cluster IP cannot change; an update that leaves it out keeps the old one. */
  keep(current: KubeObject, next: KubeObject): KubeObject {
    const cur = (current['spec'] ?? {}) as Record<string, unknown>;
    const spec = { ...((next['spec'] ?? {}) as Record<string, unknown>) };
    if (cur['clusterIP'] === undefined) return next;
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      spec['clusterIP'] = cur['clusterIP'];
      spec['clusterIPs'] = cur['clusterIPs'];
    } else if (spec['clusterIP'] !== cur['clusterIP']) {
      throw invalidIp(next, `Invalid value: "${String(spec['clusterIP'])}": field is immutable`);
    }
    return { ...next, spec };
  }

  #allocate(): string {
    const used = this.#inUse();
    // Usable host addresses are base+1 .. base+size-2; base+1 is the API server's.
    for (let i = 0; i < this.#size - 3; i++) {
      const offset = 2 + ((this.#next - 2 + i) % (this.#size - 3));
      const ip = intToIp(this.#base + offset);
      if (!used.has(ip)) {
        this.#next = offset + 1;
        return ip;
      }
    }
    throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }
}
