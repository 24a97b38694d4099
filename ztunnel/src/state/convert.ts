// Wire → domain conversion for WDS resources, shared by the xDS client (decoded protos, snake_case, IPs as
// bytes) and the local YAML file (camelCase, IPs as text). Bad input throws ZtunnelError naming the field,
// which becomes the NACK reason or the file error.
import { isIP } from 'node:net';
import { formatIp } from '@mesh/common/authz';
import { ZtunnelError } from '../errors.ts';
import { canonicalIpText } from './ip-text.ts';
import type { GatewayRef, NetworkIp, PortMapping, Service, Workload } from './types.ts';

type Obj = Record<string, unknown>;

/** The result of converting one `istio.workload.Address`. */
export type AddressValue = { readonly kind: 'workload'; readonly workload: Workload } | { readonly kind: 'service'; readonly service: Service };

function bad(where: string, why: string): never {
  throw new ZtunnelError('ERR_ZTUNNEL_BAD_RESOURCE', `${where}: ${why}`);
}

/** Reads `snake_case` or its camelCase form. */
function field(o: Obj, snake: string): unknown {
  if (o[snake] !== undefined && o[snake] !== null) return o[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return o[camel] ?? undefined;
}

function str(o: Obj, key: string, where: string): string {
  const v = field(o, key);
  if (v === undefined) return '';
  if (typeof v !== 'string') bad(where, `${key} must be a string`);
  return v;
}

function list(o: Obj, key: string, where: string): unknown[] {
  const v = field(o, key);
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad(where, `${key} must be a list`);
  return v;
}

function obj(v: unknown, where: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(where, 'must be an object');
  return v as Obj;
}

/** An IP from raw bytes (4 or 16) or text. */
export function ipOf(v: unknown, where: string): string {
  if (typeof v === 'string') {
    if (isIP(v) === 0) bad(where, `${JSON.stringify(v)} is not an IP address`);
    return canonicalIpText(v);
  }
  if (v instanceof Uint8Array) {
    if (v.length !== 4 && v.length !== 16) bad(where, `address must be 4 or 16 bytes, got ${v.length}`);
    return canonicalIpText(formatIp(v));
  }
  return bad(where, 'address must be bytes or an IP string');
}

function port(v: unknown, where: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) bad(where, `port ${JSON.stringify(v)} is out of range`);
  return n;
}

/** Ports as a proto list `[{service_port, target_port}]` or ztunnel's local map `{80: 8080}`. */
function ports(v: unknown, where: string): PortMapping[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((p, i) => {
      const o = obj(p, `${where}[${i}]`);
      return { servicePort: port(field(o, 'service_port') ?? 0, `${where}[${i}].service_port`), targetPort: port(field(o, 'target_port') ?? 0, `${where}[${i}].target_port`) };
    });
  }
  const o = obj(v, where);
  if (Array.isArray(o.ports)) return ports(o.ports, `${where}.ports`);
  return Object.entries(o).map(([k, t]) => ({ servicePort: port(k, `${where} key`), targetPort: port(t, `${where}.${k}`) }));
}

function gateway(v: unknown, where: string): GatewayRef | null {
  if (v === undefined || v === null) return null;
  const o = obj(v, where);
  const p = port(field(o, 'hbone_mtls_port') ?? 15008, `${where}.hbone_mtls_port`) || 15008;
  const host = field(o, 'hostname');
  if (host !== undefined) {
    const h = obj(host, `${where}.hostname`);
    return { kind: 'hostname', namespace: str(h, 'namespace', where), hostname: str(h, 'hostname', where), port: p };
  }
  const address = field(o, 'address');
  if (address !== undefined) {
    const a = obj(address, `${where}.address`);
    return { kind: 'address', network: str(a, 'network', where), ip: ipOf(field(a, 'address'), `${where}.address.address`), port: p };
  }
  return bad(where, 'gateway has neither hostname nor address');
}

/** `network/ip` text (local file) or a NetworkAddress object. */
function networkIp(v: unknown, where: string): NetworkIp {
  if (typeof v === 'string') {
    const slash = v.indexOf('/');
    return slash < 0 ? { network: '', ip: ipOf(v, where) } : { network: v.slice(0, slash), ip: ipOf(v.slice(slash + 1), where) };
  }
  const o = obj(v, where);
  return { network: str(o, 'network', where), ip: ipOf(field(o, 'address'), `${where}.address`) };
}

const TUNNEL: Record<string, 'HBONE' | 'NONE'> = { HBONE: 'HBONE', 1: 'HBONE', NONE: 'NONE', 0: 'NONE', LEGACY_ISTIO_MTLS: 'NONE', 2: 'NONE' };
const WORKLOAD_TYPES: Record<string, string> = { DEPLOYMENT: 'deployment', 0: 'deployment', CRONJOB: 'cronjob', 1: 'cronjob', POD: 'pod', 2: 'pod', JOB: 'job', 3: 'job' };
const LB_MODES: Record<string, Service['lbMode']> = { UNSPECIFIED_MODE: 'UNSPECIFIED', 0: 'UNSPECIFIED', STRICT: 'STRICT', 1: 'STRICT', FAILOVER: 'FAILOVER', 2: 'FAILOVER', PASSTHROUGH: 'PASSTHROUGH', 3: 'PASSTHROUGH' };

/** A Workload (decoded proto or local-file object) → domain Workload. */
export function toWorkload(raw: unknown, defaultTrustDomain: string): Workload {
  const o = obj(raw, 'workload');
  const uid = str(o, 'uid', 'workload');
  const where = `workload ${uid || '(no uid)'}`;
  if (uid === '') bad(where, 'uid is empty');
  const addresses = [...list(o, 'addresses', where), ...list(o, 'workload_ips', where)].map((a, i) => ipOf(a, `${where}.addresses[${i}]`));
  const tunnelRaw = String(field(o, 'tunnel_protocol') ?? field(o, 'protocol') ?? 'NONE');
  const tunnel = TUNNEL[tunnelRaw] ?? bad(where, `unknown tunnel_protocol ${JSON.stringify(tunnelRaw)}`);
  const servicesRaw = field(o, 'services');
  const services: Record<string, PortMapping[]> = {};
  if (servicesRaw !== undefined) {
    for (const [key, value] of Object.entries(obj(servicesRaw, `${where}.services`))) {
      if (!key.includes('/')) bad(where, `services key ${JSON.stringify(key)} is not namespace/hostname`);
      services[key] = ports(value, `${where}.services[${key}]`);
    }
  }
  const cap = field(o, 'capacity');
  const capacity = cap === undefined ? 1 : typeof cap === 'object' ? Number((cap as Obj).value ?? 1) : Number(cap);
  if (!Number.isInteger(capacity) || capacity < 0) bad(where, `capacity ${JSON.stringify(cap)} is not a non-negative integer`);
  const locality = field(o, 'locality') as Obj | undefined;
  const status = String(field(o, 'status') ?? 'HEALTHY');
  return {
    uid,
    name: str(o, 'name', where),
    namespace: str(o, 'namespace', where),
    addresses,
    network: str(o, 'network', where),
    tunnel,
    trustDomain: str(o, 'trust_domain', where) || defaultTrustDomain,
    serviceAccount: str(o, 'service_account', where) || 'default',
    waypoint: gateway(field(o, 'waypoint'), `${where}.waypoint`),
    node: str(o, 'node', where),
    canonicalName: str(o, 'canonical_name', where),
    canonicalRevision: str(o, 'canonical_revision', where),
    workloadType: WORKLOAD_TYPES[String(field(o, 'workload_type') ?? 'DEPLOYMENT')] ?? 'deployment',
    workloadName: str(o, 'workload_name', where),
    authorizationPolicies: list(o, 'authorization_policies', where).map(String),
    healthy: status === 'HEALTHY' || status === '0',
    clusterId: str(o, 'cluster_id', where),
    services,
    capacity: capacity === 0 ? 1 : capacity,
    region: locality ? String(locality.region ?? '') : '',
    zone: locality ? String(locality.zone ?? '') : '',
  };
}

/** A Service (decoded proto or local-file object) → domain Service. */
export function toService(raw: unknown): Service {
  const o = obj(raw, 'service');
  const namespace = str(o, 'namespace', 'service');
  const hostname = str(o, 'hostname', 'service');
  const where = `service ${namespace}/${hostname}`;
  if (hostname === '') bad(where, 'hostname is empty');
  const vips = [...list(o, 'addresses', where), ...list(o, 'vips', where)].map((a, i) => networkIp(a, `${where}.addresses[${i}]`));
  const lb = field(o, 'load_balancing') as Obj | undefined;
  const mode = lb ? String(field(lb, 'mode') ?? 'UNSPECIFIED_MODE') : 'UNSPECIFIED_MODE';
  return {
    name: str(o, 'name', where),
    namespace,
    hostname,
    vips,
    ports: ports(field(o, 'ports'), `${where}.ports`),
    subjectAltNames: list(o, 'subject_alt_names', where).map(String),
    waypoint: gateway(field(o, 'waypoint'), `${where}.waypoint`),
    lbMode: LB_MODES[mode] ?? bad(where, `unknown load_balancing.mode ${JSON.stringify(mode)}`),
    allowUnhealthy: lb ? ['ALLOW_ALL', '1'].includes(String(field(lb, 'health_policy') ?? '')) : false,
  };
}

/** An `istio.workload.Address` (oneof workload / service). */
export function toAddress(raw: unknown, defaultTrustDomain: string): AddressValue {
  const o = obj(raw, 'address');
  if (o.workload !== undefined && o.workload !== null) return { kind: 'workload', workload: toWorkload(o.workload, defaultTrustDomain) };
  if (o.service !== undefined && o.service !== null) return { kind: 'service', service: toService(o.service) };
  return bad('address', 'holds neither a workload nor a service');
}
