// Every setting of ztunnel, read from the environment in one pass (the names are ztunnel's own where it has
// one). `loadConfig` is the only place that reads process.env.
import { buildConfig, envBool, envDuration, envString, parseAddress, setting } from '@mesh/common/config';
import type { Address, BuiltConfig, ConfigSpec, Env } from '@mesh/common/config';
import { ConfigError } from '@mesh/common/config';

/** A gRPC endpoint from an `https://host:port` (TLS) or `http://host:port` (plaintext, tests) URL. */
export interface GrpcEndpoint {
  /** `host:port` as grpc-js takes it. */
  readonly target: string;
  readonly tls: boolean;
}

/** The ztunnel config, frozen. Durations are in milliseconds. */
export interface ZtunnelConfig {
  /** istiod's xDS endpoint. */
  readonly xdsAddress: string;
  /** istiod's CA endpoint; empty means the xDS address. */
  readonly caAddress: string;
  readonly xdsRootCa: string;
  readonly caRootCa: string;
  readonly tokenPath: string;
  /** When set, state comes from this YAML file instead of istiod. */
  readonly localXdsPath: string;
  readonly nodeName: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly instanceIp: string;
  readonly clusterId: string;
  readonly trustDomain: string;
  readonly network: string;
  readonly inpodUds: string;
  readonly inpodEnabled: boolean;
  readonly adminAddr: Address;
  readonly statsAddr: Address;
  readonly readinessAddr: Address;
  /** Lifetime asked of the CA for workload certificates. */
  readonly secretTtlMs: number;
  /** How long open connections get to finish on shutdown before they are cut. */
  readonly drainDeadlineMs: number;
  readonly releaseStartupPages: boolean;
  /** How often to look for memory to reclaim when idle (common/src/memory/idle-reclaim.ts); 0 = never. */
  readonly memoryReclaimIntervalMs: number;
  readonly logLevel: string;
  readonly logFormat: string;
}

const addr = (def: string) => (env: Env, name: string, d: Address) => {
  const v = env[name];
  if (v === undefined || v.trim() === '') return d ?? parseAddress(def);
  try {
    return parseAddress(v);
  } catch (err) {
    throw new ConfigError(`${name}=${JSON.stringify(v)} is not host:port (${(err as Error).message})`);
  }
};

const oneOf = (values: readonly string[]) => (env: Env, name: string, d: string) => {
  const v = envString(env, name, d);
  if (!values.includes(v)) throw new ConfigError(`${name}=${JSON.stringify(v)} must be one of ${values.join(', ')}`);
  return v;
};

const SPEC: ConfigSpec<ZtunnelConfig> = {
  xdsAddress: setting({ env: 'XDS_ADDRESS', default: 'https://istiod.istio-system.svc:15012', doc: 'istiod xDS URL (https://, or http:// for a plaintext test server)', parse: envString }),
  caAddress: setting({ env: 'CA_ADDRESS', default: '', doc: 'istiod CA URL; empty = XDS_ADDRESS', parse: envString }),
  xdsRootCa: setting({ env: 'XDS_ROOT_CA', default: '/var/run/secrets/istio/root-cert.pem', doc: 'PEM file of the mesh root, to verify istiod', parse: envString }),
  caRootCa: setting({ env: 'CA_ROOT_CA', default: '/var/run/secrets/istio/root-cert.pem', doc: 'PEM file of the mesh root, to verify the CA', parse: envString }),
  tokenPath: setting({ env: 'TOKEN_PATH', default: '/var/run/secrets/tokens/istio-token', doc: 'service-account JWT (audience istio-ca), re-read on every use', parse: envString }),
  localXdsPath: setting({ env: 'LOCAL_XDS_PATH', default: '', doc: 'YAML of workloads, services and policies used instead of istiod', parse: envString }),
  nodeName: setting({ env: 'NODE_NAME', default: '', doc: 'the node this ztunnel serves', parse: envString }),
  podName: setting({ env: 'POD_NAME', default: '', doc: 'this ztunnel pod', parse: envString }),
  podNamespace: setting({ env: 'POD_NAMESPACE', default: 'istio-system', doc: 'namespace of this ztunnel pod', parse: envString }),
  instanceIp: setting({ env: 'INSTANCE_IP', default: '', doc: 'IP of this ztunnel', parse: envString }),
  clusterId: setting({ env: 'CLUSTER_ID', default: 'Kubernetes', doc: 'cluster id sent to istiod', parse: envString }),
  trustDomain: setting({ env: 'TRUST_DOMAIN', default: 'cluster.local', doc: 'mesh trust domain', parse: envString }),
  network: setting({ env: 'NETWORK', default: '', doc: 'network of this node', parse: envString }),
  inpodUds: setting({ env: 'INPOD_UDS', default: '/var/run/ztunnel/ztunnel.sock', doc: 'ZDS socket of the node agent', parse: envString }),
  inpodEnabled: setting({ env: 'INPOD_ENABLED', default: true, doc: 'serve pods handed over by the node agent (ZDS)', parse: envBool }),
  adminAddr: setting({ env: 'ADMIN_ADDR', default: parseAddress('127.0.0.1:15000'), doc: 'admin server', parse: addr('127.0.0.1:15000') }),
  statsAddr: setting({ env: 'STATS_ADDR', default: parseAddress('0.0.0.0:15020'), doc: 'Prometheus metrics', parse: addr('0.0.0.0:15020') }),
  readinessAddr: setting({ env: 'READINESS_ADDR', default: parseAddress('0.0.0.0:15021'), doc: 'readiness probe', parse: addr('0.0.0.0:15021') }),
  secretTtlMs: setting({ env: 'SECRET_TTL', default: 24 * 3600_000, doc: 'workload certificate lifetime asked of the CA', parse: envDuration }),
  releaseStartupPages: setting({ env: 'RELEASE_STARTUP_PAGES', default: true, doc: 'once ready, after each idle memory reclaim, and whenever 4 MiB of them came back (looked at every 10 s), unmap the pages of the node binary not in use (they stay in the page cache)', parse: envBool }),
  memoryReclaimIntervalMs: setting({
    env: 'MEMORY_RECLAIM_INTERVAL',
    default: 30_000,
    doc: 'how often to look for resident memory grown 8 MiB past the last reclaim; after two idle looks in a row it is given back (a full GC, malloc_trim, the node binary pages); once also when ready; 0s = never (and no page release while running)',
    parse: envDuration,
  }),
  drainDeadlineMs: setting({ env: 'CONNECTION_TERMINATION_DEADLINE', default: 5000, doc: 'graceful drain deadline', parse: envDuration }),
  logLevel: setting({ env: 'LOG_LEVEL', default: 'info', doc: 'log level, or scope:level list', parse: envString }),
  logFormat: setting({ env: 'LOG_FORMAT', default: 'text', doc: 'text or json', parse: oneOf(['text', 'json']) }),
};

/** Reads and checks the config; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): BuiltConfig<ZtunnelConfig> {
  const built = buildConfig(SPEC, env);
  const c = built.config;
  parseGrpcEndpoint('XDS_ADDRESS', c.xdsAddress);
  if (c.caAddress !== '') parseGrpcEndpoint('CA_ADDRESS', c.caAddress);
  return built;
}

/** `https://host:port` → TLS target; `http://host:port` → plaintext; anything else is a ConfigError. */
export function parseGrpcEndpoint(name: string, url: string): GrpcEndpoint {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(url.trim());
  if (!m) throw new ConfigError(`${name}=${JSON.stringify(url)} must be https://host:port or http://host:port`);
  const hostPort = m[2] as string;
  try {
    parseAddress(hostPort);
  } catch (err) {
    throw new ConfigError(`${name}=${JSON.stringify(url)}: ${(err as Error).message}`);
  }
  return { target: hostPort, tls: m[1] === 'https' };
}

/** The CA endpoint: CA_ADDRESS, or the xDS one. */
export function caEndpoint(c: ZtunnelConfig): GrpcEndpoint {
  return parseGrpcEndpoint(c.caAddress === '' ? 'XDS_ADDRESS' : 'CA_ADDRESS', c.caAddress === '' ? c.xdsAddress : c.caAddress);
}
