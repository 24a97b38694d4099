import type * as grpc from '@grpc/grpc-js';
import { ADS_PROTO_FILE, loadGrpcPackage } from '../proto/index.ts';
import { XdsError } from './xds-error.ts';

/** The ADS service definition and its generated client constructor. */
export interface AdsService {
  definition: grpc.ServiceDefinition;
  Client: grpc.ServiceClientConstructor;
}

let cached: AdsService | undefined;

/**
 * Loads `envoy.service.discovery.v3.AggregatedDiscoveryService` once per process. Cached because the proto set
 * is large and immutable; this is a pure function of files that ship with the package, not process state.
 */
export function loadAdsService(): AdsService {
  if (cached !== undefined) return cached;
  const pkg = loadGrpcPackage([ADS_PROTO_FILE]);
  const ctor = lookup(pkg, ['envoy', 'service', 'discovery', 'v3', 'AggregatedDiscoveryService']);
  if (typeof ctor !== 'function' || !('service' in ctor)) {
    throw new XdsError('ERR_XDS_BAD_OPTIONS', `${ADS_PROTO_FILE} has no AggregatedDiscoveryService`);
  }
  const Client = ctor as grpc.ServiceClientConstructor;
  cached = { definition: Client.service, Client };
  return cached;
}

function lookup(obj: unknown, path: readonly string[]): unknown {
  let current = obj;
  for (const key of path) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
