// The state's feed from istiod: one delta ADS stream watching every Address and Authorization (wildcard).
// Bad resources are NACKed by name with the reason; good ones in the same response apply; on an outage or a
// NACK the state keeps what it had.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { compilePolicy } from '@mesh/common/authz';
import type { Policy } from '@mesh/common/authz';
import type { ProtoCodec} from '@mesh/common/proto';
import { TYPE_URL } from '@mesh/common/proto';
import { WILDCARD, XdsClient } from '@mesh/common/xds';
import type { XdsLogger, XdsResourceType } from '@mesh/common/xds';
import type { GrpcEndpoint } from '../config.ts';
import { toAddress } from '../state/convert.ts';
import type { AddressValue } from '../state/convert.ts';
import type { ProxyState } from '../state/store.ts';

export interface XdsSourceOptions {
  readonly endpoint: GrpcEndpoint;
  /** PEM path of the root that signs istiod's serving certificate (TLS endpoints only). */
  readonly rootCaPath: string;
  /** Token for `authorization: Bearer`, read on every (re)connect; undefined = no header. */
  readonly token: () => string | undefined;
  readonly clusterId: string;
  readonly nodeId: string;
  readonly nodeMetadata: Readonly<Record<string, string>>;
  readonly trustDomain: string;
  readonly state: ProxyState;
  readonly codec: ProtoCodec;
  readonly logger: XdsLogger;
}

/** Resource types as ztunnel registers them: decoded and converted to domain values (bad ones throw). */
export function addressType(codec: ProtoCodec, trustDomain: string): XdsResourceType<AddressValue> {
  return { typeUrl: TYPE_URL.ADDRESS, decode: (any) => toAddress(codec.unpack(any, 'istio.workload.Address'), trustDomain) };
}

export function authorizationType(codec: ProtoCodec): XdsResourceType<Policy> {
  return { typeUrl: TYPE_URL.AUTHORIZATION, decode: (any) => compilePolicy(codec.unpack(any, 'istio.security.Authorization')) };
}

/** Starts the client and wires both types into the state. Resolves nothing; use `client.ready()`. */
export function startXdsSource(opts: XdsSourceOptions): XdsClient {
  const credentials = opts.endpoint.tls
    ? grpc.credentials.createSsl(readFileSync(opts.rootCaPath))
    : grpc.credentials.createInsecure();
  const client = new XdsClient({
    target: opts.endpoint.target,
    credentials,
    variant: 'delta',
    node: {
      id: opts.nodeId,
      metadata: { fields: Object.fromEntries(Object.entries(opts.nodeMetadata).map(([k, v]) => [k, { string_value: v }])) },
    } as never,
    metadata: () => {
      const token = opts.token();
      return { clusterid: opts.clusterId, ...(token ? { authorization: `Bearer ${token}` } : {}) };
    },
    types: [addressType(opts.codec, opts.trustDomain), authorizationType(opts.codec)],
    logger: opts.logger,
  });
  client.watch<AddressValue>(TYPE_URL.ADDRESS, WILDCARD, {
    onChange: (name, value) => opts.state.upsertAddress(name, value),
    onRemove: (name) => opts.state.removeAddress(name),
  });
  client.watch<Policy>(TYPE_URL.AUTHORIZATION, WILDCARD, {
    onChange: (name, value) => opts.state.upsertPolicy(name, value),
    onRemove: (name) => opts.state.removePolicy(name),
  });
  client.start();
  return client;
}

/** ztunnel's node id: `ztunnel~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`. */
export function ztunnelNodeId(instanceIp: string, podName: string, podNamespace: string): string {
  return `ztunnel~${instanceIp}~${podName}.${podNamespace}~${podNamespace}.svc.cluster.local`;
}
