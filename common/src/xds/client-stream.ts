import type { Node } from '../gen/envoy/config/core/v3/Node.ts';
import type { ClientTypeState } from './client-type-state.ts';
import type { XdsLogger } from './xds-logger.ts';

/** What a client-side stream needs from the XdsClient. */
export interface ClientStreamContext<Request> {
  node: Node;
  types: ReadonlyMap<string, ClientTypeState<unknown>>;
  logger: XdsLogger;
  /** Writes a request on the stream. */
  send(request: Request): void;
}

/** One protocol variant's handling of one client stream. */
export interface ClientStream<Response> {
  /** Sends the first request of every watched type. */
  start(): void;
  /** Brings the server's view of a type's subscription in line with the watchers. */
  updateSubscription(typeUrl: string): void;
  /** Applies the good resources of a response and answers it with an ACK, or a NACK naming the bad ones. */
  handleResponse(response: Response): void;
}

/** gRPC status code INVALID_ARGUMENT, the `error_detail.code` of our NACKs (as Envoy uses). */
export const NACK_CODE = 3;
