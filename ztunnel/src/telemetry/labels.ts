// Istio's traffic labels for one connection, from what ztunnel knows about both ends (pure).
import { REPORTER, fillTrafficLabels } from '@mesh/common/metrics';
import type { TrafficLabels } from '@mesh/common/metrics';
import type { Service, Workload } from '../state/types.ts';

/** ztunnel's closed set of response flags (metrics label and access log). */
export type ResponseFlag = '-' | 'DENY' | 'CONNECT' | 'TLS_FAILURE' | 'H2_HANDSHAKE_FAILURE' | 'IDENTITY_ERROR' | 'NETWORK_POLICY';

/** Everything the recorder knows about a connection. */
export interface ConnectionFacts {
  readonly reporter: 'source' | 'destination';
  readonly direction: 'inbound' | 'outbound';
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly hboneAddr?: string;
  readonly srcWorkload?: Workload;
  readonly srcIdentity?: string;
  readonly dstWorkload?: Workload;
  readonly dstService?: Service;
  readonly dstIdentity?: string;
  /** True when the connection is (or would be) carried over mTLS. */
  readonly mtls: boolean;
}

export function trafficLabels(f: ConnectionFacts, flag: ResponseFlag): TrafficLabels {
  const s = f.srcWorkload;
  const d = f.dstWorkload;
  return fillTrafficLabels({
    reporter: f.reporter === 'source' ? REPORTER.source : REPORTER.destination,
    source_workload: s ? s.workloadName || s.name : undefined,
    source_canonical_service: s?.canonicalName || s?.workloadName || s?.name,
    source_canonical_revision: s?.canonicalRevision || 'latest',
    source_workload_namespace: s?.namespace,
    source_principal: f.srcIdentity,
    source_app: s?.canonicalName || s?.workloadName || s?.name,
    source_version: s?.canonicalRevision || 'latest',
    source_cluster: s?.clusterId,
    destination_service: f.dstService?.hostname,
    destination_service_namespace: f.dstService?.namespace,
    destination_service_name: f.dstService?.name,
    destination_workload: d ? d.workloadName || d.name : undefined,
    destination_canonical_service: d?.canonicalName || d?.workloadName || d?.name,
    destination_canonical_revision: d?.canonicalRevision || 'latest',
    destination_workload_namespace: d?.namespace,
    destination_principal: f.dstIdentity,
    destination_app: d?.canonicalName || d?.workloadName || d?.name,
    destination_version: d?.canonicalRevision || 'latest',
    destination_cluster: d?.clusterId,
    request_protocol: 'tcp',
    response_flags: flag,
    connection_security_policy: f.mtls ? 'mutual_tls' : 'unknown',
  });
}
