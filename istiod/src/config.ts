// istiod's settings, read from the environment in one place (the composition root hands over process.env).
import { buildConfig, envAddress, envDuration, envList, envString, setting } from '@mesh/common/config';
import type { Address, BuiltConfig, Env } from '@mesh/common/config';
import { ConfigError } from '@mesh/common/config';
import { parseLogLevel } from '@mesh/common/log';
import type { LogFormat, LogLevel } from '@mesh/common/log';

/** Everything istiod is configured with. Durations are in milliseconds. */
export interface IstiodConfig {
  /** gRPC over TLS: delta/SotW ADS and the CA. */
  readonly grpcAddr: Address;
  /** HTTP: /ready, /metrics, /debug/*. */
  readonly httpAddr: Address;
  /** Root namespace and the namespace of the CA secret. */
  readonly namespace: string;
  readonly trustDomain: string;
  readonly clusterId: string;
  readonly network: string;
  /** Extra SANs for istiod's own serving certificate. */
  readonly servingSans: readonly string[];
  /** `ns/sa` accounts allowed to request certificates for other identities on their node. */
  readonly caTrustedNodeAccounts: readonly string[];
  readonly defaultWorkloadCertTtlMs: number;
  readonly maxWorkloadCertTtlMs: number;
  /** Audiences a caller's token must carry. */
  readonly tokenAudiences: readonly string[];
  /** Quiet time after the last change before a push. */
  readonly debounceAfterMs: number;
  /** Longest a push waits while changes keep coming. */
  readonly debounceMaxMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

const HOUR_MS = 3_600_000;

const SPEC = {
  grpcAddr: setting({
    env: 'ISTIOD_GRPC_ADDR',
    default: { host: '0.0.0.0', port: 15012 },
    doc: 'gRPC listener (TLS): ADS and the CA',
    parse: envAddress,
  }),
  httpAddr: setting({
    env: 'ISTIOD_HTTP_ADDR',
    default: { host: '0.0.0.0', port: 15014 },
    doc: 'HTTP listener: /ready, /metrics, /debug/syncz, /debug/config_dump',
    parse: envAddress,
  }),
  namespace: setting({ env: 'POD_NAMESPACE', default: 'istio-system', doc: 'root namespace', parse: envNonEmpty }),
  trustDomain: setting({ env: 'TRUST_DOMAIN', default: 'cluster.local', doc: 'mesh trust domain', parse: envNonEmpty }),
  clusterId: setting({ env: 'CLUSTER_ID', default: 'Kubernetes', doc: 'cluster id in workload uids', parse: envNonEmpty }),
  network: setting({ env: 'NETWORK', default: '', doc: 'network of this cluster', parse: envString }),
  servingSans: setting({
    env: 'ISTIOD_SERVING_SANS',
    default: [] as readonly string[],
    doc: "extra SANs of istiod's serving certificate (IPs become IP SANs)",
    parse: envList,
  }),
  caTrustedNodeAccounts: setting({
    env: 'CA_TRUSTED_NODE_ACCOUNTS',
    default: ['istio-system/ztunnel'] as readonly string[],
    doc: 'ns/sa accounts that may request certificates for pods on their node',
    parse: envList,
  }),
  defaultWorkloadCertTtlMs: setting({
    env: 'DEFAULT_WORKLOAD_CERT_TTL',
    default: 24 * HOUR_MS,
    doc: 'workload certificate lifetime when the request names none',
    parse: envDuration,
  }),
  maxWorkloadCertTtlMs: setting({
    env: 'MAX_WORKLOAD_CERT_TTL',
    default: 2160 * HOUR_MS,
    doc: 'longest workload certificate lifetime',
    parse: envDuration,
  }),
  tokenAudiences: setting({
    env: 'TOKEN_AUDIENCES',
    default: ['istio-ca'] as readonly string[],
    doc: 'audiences accepted on callers\' tokens',
    parse: envList,
  }),
  debounceAfterMs: setting({
    env: 'PILOT_DEBOUNCE_AFTER',
    default: 100,
    doc: 'quiet time after the last change before a push',
    parse: envDuration,
  }),
  debounceMaxMs: setting({
    env: 'PILOT_DEBOUNCE_MAX',
    default: 1000,
    doc: 'longest a push is delayed while changes keep coming',
    parse: envDuration,
  }),
  logLevel: setting({ env: 'LOG_LEVEL', default: 'info' as LogLevel, doc: 'log level', parse: envLogLevel }),
  logFormat: setting({ env: 'LOG_FORMAT', default: 'text' as LogFormat, doc: 'log format: text or json', parse: envLogFormat }),
};

function envLogLevel(env: Env, name: string, def: LogLevel): LogLevel {
  const value = envNonEmpty(env, name, def);
  try {
    return parseLogLevel(value);
  } catch (err) {
    throw new ConfigError(`${name}=${JSON.stringify(value)} is invalid: ${(err as Error).message}`);
  }
}

function envLogFormat(env: Env, name: string, def: LogFormat): LogFormat {
  const value = envNonEmpty(env, name, def);
  if (value !== 'text' && value !== 'json') throw new ConfigError(`${name}=${JSON.stringify(value)} is invalid: expected text or json`);
  return value;
}

function envNonEmpty(env: Env, name: string, def: string): string {
  const value = envString(env, name, def).trim();
  return value === '' ? def : value;
}

/** Reads istiod's config; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env): BuiltConfig<IstiodConfig> {
  return buildConfig<IstiodConfig>(SPEC, env);
}
