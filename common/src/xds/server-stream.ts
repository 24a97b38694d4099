import type { Node__Output } from '../gen/envoy/config/core/v3/Node.ts';
import type { ResourceStore, StoreChange } from './resource-store.ts';
import type { NackRecord, XdsConnection } from './xds-connection.ts';
import type { XdsLogger } from './xds-logger.ts';

/** What a server-side stream handler needs from the server; one per stream. */
export interface ServerStreamContext<Response> {
  conn: XdsConnection;
  store: ResourceStore;
  logger: XdsLogger;
  /** False for a type URL this server does not serve. */
  servesType(typeUrl: string): boolean;
  /** Writes a response on the stream (dropped once the stream is gone). */
  send(response: Response): void;
  nextNonce(): string;
  /** Called once, with the first request, after the node is recorded. False: the stream was refused. */
  onFirstRequest(): boolean;
  /** Called when the client NACKs a response of `typeUrl` (after `lastNack` is recorded). */
  onNack(typeUrl: string, nack: NackRecord): void;
}

/** One protocol variant's request handling for one stream. */
export interface ServerStream<Request> {
  handleRequest(request: Request): void;
  onStoreChange(change: StoreChange): void;
}

/**
 * The checks every request goes through first: record the node, fire the connect event, and refuse a missing
 * or unserved type URL. Returns false when the request must be ignored.
 */
export function acceptRequest<R>(
  ctx: ServerStreamContext<R>,
  request: { node: Node__Output | null; type_url: string },
  firstRequest: boolean,
): boolean {
  if (ctx.conn.node === null && request.node !== null && request.node.id !== undefined) {
    ctx.conn.node = request.node;
  }
  if (firstRequest && !ctx.onFirstRequest()) return false;
  const typeUrl = request.type_url;
  if (typeUrl === '' || !ctx.servesType(typeUrl)) {
    if (!ctx.conn.ignoredTypeUrls.has(typeUrl)) {
      ctx.conn.ignoredTypeUrls.add(typeUrl);
      ctx.logger.warn(
        { connection: ctx.conn.id, node: ctx.conn.node?.id ?? '', typeUrl },
        typeUrl === '' ? 'xDS request without a type URL ignored' : 'xDS request for a type this server does not serve ignored',
      );
    }
    return false;
  }
  return true;
}
