// The access log, with ztunnel's field names and messages, on the `access` scope so it can be turned up or
// off on its own. One record per connection, written once when the connection ends.
import type { LogRoot, Logger } from './logger.ts';

/** The scope name of the access log (ztunnel's tracing target). */
export const ACCESS_SCOPE = 'access';

/** One side of a connection as the access log shows it; every field but `addr` is optional. */
export interface AccessPeer {
  /** `ip:port`. */
  readonly addr: string;
  readonly workload?: string;
  readonly namespace?: string;
  /** The SPIFFE identity (`spiffe://...`); only present when the connection was mTLS. */
  readonly identity?: string;
  readonly cluster?: string;
}

/** The destination side, which may also carry the HBONE address and the service. */
export interface AccessDestination extends AccessPeer {
  readonly hboneAddr?: string;
  readonly service?: string;
}

/** What is known when a connection opens. */
export interface ConnectionOpened {
  readonly src: AccessPeer;
  readonly dst: AccessDestination;
  readonly direction: 'inbound' | 'outbound';
}

/** The full record, written when the connection ends. Byte counts are from the source's point of view. */
export interface ConnectionComplete extends ConnectionOpened {
  readonly bytesSent: number;
  readonly bytesRecv: number;
  readonly durationMs: number;
  /** Set when the connection failed; the record is then logged at warn. */
  readonly error?: string;
}

type Fields = Record<string, string | number>;

function peerFields(prefix: 'src' | 'dst', peer: AccessDestination, out: Fields): void {
  out[`${prefix}.addr`] = peer.addr;
  if (peer.hboneAddr !== undefined) out[`${prefix}.hbone_addr`] = peer.hboneAddr;
  if (peer.service !== undefined) out[`${prefix}.service`] = peer.service;
  if (peer.workload !== undefined) out[`${prefix}.workload`] = peer.workload;
  if (peer.namespace !== undefined) out[`${prefix}.namespace`] = peer.namespace;
  if (peer.identity !== undefined) out[`${prefix}.identity`] = peer.identity;
  if (peer.cluster !== undefined) out[`${prefix}.cluster`] = peer.cluster;
}

/** Flattens a record into ztunnel's dotted field names (`src.addr`, `bytes_sent`, `duration: "3ms"`, ...). */
export function accessFields(rec: ConnectionOpened | ConnectionComplete): Fields {
  const out: Fields = {};
  peerFields('src', rec.src, out);
  peerFields('dst', rec.dst, out);
  out.direction = rec.direction;
  if ('bytesSent' in rec) {
    out.bytes_sent = rec.bytesSent;
    out.bytes_recv = rec.bytesRecv;
    out.duration = `${Math.round(rec.durationMs)}ms`;
    if (rec.error !== undefined) out.error = rec.error;
  }
  return out;
}

/** Writes access records to the `access` scope. */
export class AccessLog {
  readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** "connection opened", at debug (ztunnel logs it only when asked to). */
  opened(rec: ConnectionOpened): void {
    if (this.logger.isLevelEnabled('debug')) this.logger.debug(accessFields(rec), 'connection opened');
  }

  /** "connection complete", at info, or at warn when the record carries an error. */
  complete(rec: ConnectionComplete): void {
    const fields = accessFields(rec);
    if (rec.error !== undefined) this.logger.warn(fields, 'connection complete');
    else this.logger.info(fields, 'connection complete');
  }
}

/** The access log of a process, on root's `access` scope. */
export function createAccessLog(root: LogRoot): AccessLog {
  return new AccessLog(root.scope(ACCESS_SCOPE));
}
