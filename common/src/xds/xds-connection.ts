import type * as grpc from '@grpc/grpc-js';
import type { Node__Output } from '../gen/envoy/config/core/v3/Node.ts';

/** Which ADS method a stream uses. */
export type XdsVariant = 'delta' | 'sotw';

/** The last NACK a client sent for a type. */
export interface NackRecord {
  nonce: string;
  /** `error_detail.message` as the client wrote it ("<name>: <reason>; ..."). */
  message: string;
  /** The version of the response that was rejected. */
  version: string;
  at: Date;
}

/**
 * What the server knows about one type on one stream: the `/debug/syncz` view. Versions are the server's
 * per-type store versions (SotW `version_info`, delta `system_version_info`).
 */
export interface TypeSyncState {
  typeUrl: string;
  /** True when the client asked for every resource of the type. */
  wildcard: boolean;
  /** Names the client subscribed to by name. */
  names: Set<string>;
  /** Nonce of the last response sent ('' before the first). */
  nonce: string;
  /** Version of the last response sent. */
  sentVersion: string;
  /** Version of the last response the client ACKed ('' before the first ACK). */
  ackedVersion: string;
  ackedNonce: string;
  lastNack: NackRecord | null;
  /** Delta only: name → version the client holds, as far as the server knows. */
  known: Map<string, string>;
}

/** One ADS stream as the server sees it; read-only for everyone but the stream that owns it. */
export interface XdsConnection {
  readonly id: string;
  readonly variant: XdsVariant;
  readonly peer: string;
  readonly metadata: grpc.Metadata;
  /** Whatever the server's `authenticate` hook returned for this stream (undefined without a hook). */
  readonly identity: unknown;
  /** The node from the first request that carried one (null until then). */
  node: Node__Output | null;
  readonly connectedAt: Date;
  readonly types: Map<string, TypeSyncState>;
  /** Type URLs the client asked for that this server does not serve (ignored, logged). */
  readonly ignoredTypeUrls: Set<string>;
}

/** JSON-friendly summary of one connection's state per type, for a `/debug/syncz` endpoint. */
export interface SyncStatus {
  connectionId: string;
  variant: XdsVariant;
  nodeId: string;
  peer: string;
  typeUrl: string;
  subscribed: '*' | string[];
  nonce: string;
  sentVersion: string;
  ackedVersion: string;
  lastNack: { nonce: string; message: string; version: string; at: string } | null;
}

export function newTypeSyncState(typeUrl: string): TypeSyncState {
  return {
    typeUrl,
    wildcard: false,
    names: new Set(),
    nonce: '',
    sentVersion: '',
    ackedVersion: '',
    ackedNonce: '',
    lastNack: null,
    known: new Map(),
  };
}

/** Flattens a connection into one row per type. */
export function syncStatusOf(conn: XdsConnection): SyncStatus[] {
  return [...conn.types.values()].map((state) => ({
    connectionId: conn.id,
    variant: conn.variant,
    nodeId: conn.node?.id ?? '',
    peer: conn.peer,
    typeUrl: state.typeUrl,
    subscribed: state.wildcard ? '*' : [...state.names].sort(),
    nonce: state.nonce,
    sentVersion: state.sentVersion,
    ackedVersion: state.ackedVersion,
    lastNack:
      state.lastNack === null
        ? null
        : {
            nonce: state.lastNack.nonce,
            message: state.lastNack.message,
            version: state.lastNack.version,
            at: state.lastNack.at.toISOString(),
          },
  }));
}
