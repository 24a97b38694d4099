import type { DiscoveryRequest__Output } from '../gen/envoy/service/discovery/v3/DiscoveryRequest.ts';
import type { DiscoveryResponse } from '../gen/envoy/service/discovery/v3/DiscoveryResponse.ts';
import type { StoreChange } from './resource-store.ts';
import { acceptRequest } from './server-stream.ts';
import type { ServerStream, ServerStreamContext } from './server-stream.ts';
import { newTypeSyncState } from './xds-connection.ts';
import type { TypeSyncState } from './xds-connection.ts';

/**
 * Server side of one `StreamAggregatedResources` (state of the world) stream: every response carries the full
 * set of the type (or of the subscribed names) with the store's version of the type.
 */
export class SotwServerStream implements ServerStream<DiscoveryRequest__Output> {
  private readonly ctx: ServerStreamContext<DiscoveryResponse>;
  private sawRequest = false;

  constructor(ctx: ServerStreamContext<DiscoveryResponse>) {
    this.ctx = ctx;
  }

  handleRequest(request: DiscoveryRequest__Output): void {
    const first = !this.sawRequest;
    this.sawRequest = true;
    if (!acceptRequest(this.ctx, request, first)) return;
    let state = this.ctx.conn.types.get(request.type_url);
    const firstForType = state === undefined;
    if (state === undefined) {
      state = newTypeSyncState(request.type_url);
      this.ctx.conn.types.set(request.type_url, state);
    } else if (request.response_nonce !== '' && request.response_nonce !== state.nonce) {
      // A reply to a response that has since been superseded: the client will answer the newer one too.
      this.ctx.logger.debug(
        { connection: this.ctx.conn.id, typeUrl: request.type_url, nonce: request.response_nonce },
        'stale SotW request ignored',
      );
      return;
    }
    if (!firstForType && request.response_nonce !== '') this.recordAck(state, request);

    const names = new Set(request.resource_names);
    const wildcard = names.size === 0 || names.has('*');
    names.delete('*');
    const subscriptionChanged = wildcard !== state.wildcard || !sameSet(names, state.names);
    state.wildcard = wildcard;
    state.names = names;
    if (firstForType || subscriptionChanged) this.sendAll(state);
  }

  onStoreChange(change: StoreChange): void {
    const state = this.ctx.conn.types.get(change.typeUrl);
    if (state === undefined) return;
    const touches = (name: string): boolean => state.wildcard || state.names.has(name);
    if (change.changed.some(touches) || change.removed.some(touches)) this.sendAll(state);
  }

  private sendAll(state: TypeSyncState): void {
    const resources = this.ctx.store.get(state.typeUrl);
    const selected = state.wildcard
      ? [...resources.values()]
      : [...state.names].flatMap((name) => {
          const entry = resources.get(name);
          return entry === undefined ? [] : [entry];
        });
    const nonce = this.ctx.nextNonce();
    state.nonce = nonce;
    state.sentVersion = this.ctx.store.version(state.typeUrl);
    this.ctx.send({
      version_info: state.sentVersion,
      type_url: state.typeUrl,
      nonce,
      resources: selected.map((entry) => entry.resource),
    });
  }

  private recordAck(state: TypeSyncState, request: DiscoveryRequest__Output): void {
    if (request.error_detail !== null) {
      state.lastNack = {
        nonce: request.response_nonce,
        message: request.error_detail.message,
        version: state.sentVersion,
        at: new Date(),
      };
      this.ctx.logger.warn(
        { connection: this.ctx.conn.id, node: this.ctx.conn.node?.id ?? '', typeUrl: state.typeUrl },
        `xDS NACK: ${request.error_detail.message}`,
      );
      this.ctx.onNack(state.typeUrl, state.lastNack);
    } else {
      state.ackedVersion = request.version_info;
      state.ackedNonce = request.response_nonce;
    }
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
