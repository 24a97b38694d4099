// `/debug/syncz`: one entry per connected proxy with, per type, what was last sent and what the proxy ACKed or
// NACKed (Istio's syncz, in JSON).
import type { XdsConnection } from '@mesh/common/xds';
import { parseNodeId } from '../xds/node-id.ts';
import type { LastPush } from '../xds/ztunnel-xds.ts';

export interface SynczType {
  typeUrl: string;
  subscribed: '*' | string[];
  lastPushAt: string | null;
  lastPushNonce: string;
  lastPushResources: number;
  lastPushRemoved: number;
  sentVersion: string;
  ackedVersion: string;
  ackedNonce: string;
  /** Resources the proxy holds as far as istiod knows (delta). */
  resourcesHeld: number;
  nack: { nonce: string; message: string; version: string; at: string } | null;
}

export interface SynczEntry {
  connectionId: string;
  proxy: string;
  proxyType: string;
  /** `<pod>.<namespace>` when the node id parses. */
  pod: string;
  ip: string;
  peer: string;
  /** `<namespace>/<serviceAccount>` of the authenticated caller. */
  caller: string;
  variant: string;
  connectedAt: string;
  types: SynczType[];
}

export function synczOf(
  conns: readonly XdsConnection[],
  lastPush: (conn: XdsConnection, typeUrl: string) => LastPush | undefined,
): SynczEntry[] {
  return conns.map((conn) => {
    const nodeId = conn.node?.id ?? '';
    const parsed = parseNodeId(nodeId);
    const caller = conn.identity as { namespace?: string; serviceAccount?: string } | undefined;
    return {
      connectionId: conn.id,
      proxy: nodeId,
      proxyType: 'error' in parsed ? 'unknown' : parsed.type,
      pod: 'error' in parsed ? '' : `${parsed.podName}.${parsed.podNamespace}`,
      ip: 'error' in parsed ? '' : parsed.ip,
      peer: conn.peer,
      caller: caller?.namespace !== undefined ? `${caller.namespace}/${caller.serviceAccount ?? ''}` : '',
      variant: conn.variant,
      connectedAt: conn.connectedAt.toISOString(),
      types: [...conn.types.values()].map((state) => {
        const push = lastPush(conn, state.typeUrl);
        return {
          typeUrl: state.typeUrl,
          subscribed: state.wildcard ? '*' : [...state.names].sort(),
          lastPushAt: push?.at.toISOString() ?? null,
          lastPushNonce: state.nonce,
          lastPushResources: push?.resources ?? 0,
          lastPushRemoved: push?.removed ?? 0,
          sentVersion: state.sentVersion,
          ackedVersion: state.ackedVersion,
          ackedNonce: state.ackedNonce,
          resourcesHeld: state.known.size,
          nack:
            state.lastNack === null
              ? null
              : { ...state.lastNack, at: state.lastNack.at.toISOString() },
        };
      }),
    };
  });
}
