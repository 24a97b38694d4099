// The ADS service istiod serves to ztunnels: WDS addresses and authorizations over delta (and SotW) xDS, every
// stream authenticated by its service-account token, with Pilot's metrics and per-stream push facts for syncz.
import type * as grpc from '@grpc/grpc-js';
import { TYPE_URL } from '@mesh/common/proto';
import type { Logger } from '@mesh/common/log';
import { XdsServer } from '@mesh/common/xds';
import type { XdsConnection , ResourceStore} from '@mesh/common/xds';
import type { IstiodMetrics } from '../server/metrics.ts';
import { authorizeNode } from './node-authz.ts';
import type { NodeCaller } from './node-authz.ts';
import { metricType } from '../server/metrics.ts';

/** The last response sent on one stream for one type. */
export interface LastPush {
  readonly at: Date;
  readonly nonce: string;
  readonly resources: number;
  readonly removed: number;
}

export interface ZtunnelXdsInputs {
  readonly store: ResourceStore;
  /** Authenticates a stream from its metadata; throwing refuses it with UNAUTHENTICATED. */
  readonly authenticate: (metadata: grpc.Metadata) => Promise<NodeCaller>;
  readonly metrics: IstiodMetrics;
  readonly logger: Logger;
}

/** The XdsServer plus what /debug/syncz needs beyond the server's own state. */
export interface ZtunnelXds {
  readonly server: XdsServer;
  /** Last response per type on a live stream. */
  lastPush(conn: XdsConnection, typeUrl: string): LastPush | undefined;
}

export const SERVED_TYPE_URLS = [TYPE_URL.ADDRESS, TYPE_URL.AUTHORIZATION] as const;

export function createZtunnelXds(inputs: ZtunnelXdsInputs): ZtunnelXds {
  const pushes = new WeakMap<XdsConnection, Map<string, LastPush>>();
  const { metrics } = inputs;
  const server = new XdsServer({
    store: inputs.store,
    typeUrls: SERVED_TYPE_URLS,
    logger: inputs.logger,
    authenticate: (ctx) => inputs.authenticate(ctx.metadata),
    authorizeNode: (conn) => authorizeNode(conn.identity as NodeCaller, conn.node?.id ?? ''),
    onConnect: () => metrics.xdsClients.inc(),
    onDisconnect: () => metrics.xdsClients.dec(),
    onNack: (_conn, typeUrl) => metrics.rejects.inc({ type: metricType(typeUrl) }),
    onResponse: (conn, response) => {
      const typeUrl = response.type_url ?? '';
      metrics.pushes.inc({ type: metricType(typeUrl) });
      let byType = pushes.get(conn);
      if (byType === undefined) {
        byType = new Map();
        pushes.set(conn, byType);
      }
      const removed = 'removed_resources' in response ? (response.removed_resources?.length ?? 0) : 0;
      byType.set(typeUrl, { at: new Date(), nonce: response.nonce ?? '', resources: response.resources?.length ?? 0, removed });
    },
  });
  return { server, lastPush: (conn, typeUrl) => pushes.get(conn)?.get(typeUrl) };
}
