import type { DeltaDiscoveryRequest__Output } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryRequest.ts';
import type { DeltaDiscoveryResponse } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryResponse.ts';
import type { Resource } from '../gen/envoy/service/discovery/v3/Resource.ts';
import type { StoreChange } from './resource-store.ts';
import { acceptRequest } from './server-stream.ts';
import type { ServerStream, ServerStreamContext } from './server-stream.ts';
import { newTypeSyncState } from './xds-connection.ts';
import type { TypeSyncState } from './xds-connection.ts';

/** Responses whose ACK is still outstanding, per type; older ones are forgotten past this many. */
const MAX_PENDING_NONCES = 64;

/**
 * Server side of one `DeltaAggregatedResources` stream: tracks subscriptions and what the client holds, and
 * sends only the names that changed or disappeared.
 */
export class DeltaServerStream implements ServerStream<DeltaDiscoveryRequest__Output> {
  private readonly ctx: ServerStreamContext<DeltaDiscoveryResponse>;
  /** nonce → version, per type, for responses not yet ACKed or NACKed. */
  private readonly pending = new Map<string, Map<string, string>>();
  private sawRequest = false;

  constructor(ctx: ServerStreamContext<DeltaDiscoveryResponse>) {
    this.ctx = ctx;
  }

  handleRequest(request: DeltaDiscoveryRequest__Output): void {
    const first = !this.sawRequest;
    this.sawRequest = true;
    if (!acceptRequest(this.ctx, request, first)) return;
    const typeUrl = request.type_url;
    let state = this.ctx.conn.types.get(typeUrl);
    const firstForType = state === undefined;
    if (state === undefined) {
      state = newTypeSyncState(typeUrl);
      this.ctx.conn.types.set(typeUrl, state);
      // An empty first subscription is the legacy wildcard request.
      state.wildcard = request.resource_names_subscribe.length === 0;
      for (const [name, version] of Object.entries(request.initial_resource_versions)) state.known.set(name, version);
    }
    if (request.response_nonce !== '') this.recordAck(state, request);

    for (const name of request.resource_names_subscribe) {
      if (name === '*') state.wildcard = true;
      else state.names.add(name);
    }
    for (const name of request.resource_names_unsubscribe) {
      if (name === '*') {
        state.wildcard = false;
        // The client drops what it held only through the wildcard; forget those so they are not "removed" later.
        for (const known of [...state.known.keys()]) if (!state.names.has(known)) state.known.delete(known);
      } else {
        state.names.delete(name);
        state.known.delete(name);
      }
    }
    const subscriptionChanged =
      request.resource_names_subscribe.length > 0 || request.resource_names_unsubscribe.length > 0;
    if (!firstForType && !subscriptionChanged) return; // a plain ACK/NACK

    const resources = this.ctx.store.get(typeUrl);
    const inScope = new Set<string>(state.names);
    if (state.wildcard) for (const name of resources.keys()) inScope.add(name);
    const removed = [...state.known.keys()].filter((name) => !resources.has(name));
    // The first response per type is sent even when empty: clients wait for it to become ready.
    this.push(state, [...inScope], removed, firstForType);
  }

  onStoreChange(change: StoreChange): void {
    const state = this.ctx.conn.types.get(change.typeUrl);
    if (state === undefined) return;
    const changed = change.changed.filter((name) => state.wildcard || state.names.has(name));
    const removed = change.removed.filter((name) => state.known.has(name));
    this.push(state, changed, removed, false);
  }

  private push(state: TypeSyncState, candidates: readonly string[], removed: readonly string[], always: boolean): void {
    const resources = this.ctx.store.get(state.typeUrl);
    const upserts: Resource[] = [];
    for (const name of candidates) {
      const entry = resources.get(name);
      if (entry === undefined || state.known.get(name) === entry.version) continue;
      upserts.push({ name, version: entry.version, resource: entry.resource, aliases: [...(entry.aliases ?? [])] });
    }
    if (upserts.length === 0 && removed.length === 0 && !always) return;

    const nonce = this.ctx.nextNonce();
    const version = this.ctx.store.version(state.typeUrl);
    for (const resource of upserts) state.known.set(resource.name as string, resource.version as string);
    for (const name of removed) state.known.delete(name);
    state.nonce = nonce;
    state.sentVersion = version;
    this.rememberPending(state.typeUrl, nonce, version);
    this.ctx.send({
      system_version_info: version,
      type_url: state.typeUrl,
      nonce,
      resources: upserts,
      removed_resources: [...removed],
    });
  }

  private recordAck(state: TypeSyncState, request: DeltaDiscoveryRequest__Output): void {
    const pending = this.pending.get(state.typeUrl);
    const version = pending?.get(request.response_nonce);
    if (pending === undefined || version === undefined) {
      this.ctx.logger.debug(
        { connection: this.ctx.conn.id, typeUrl: state.typeUrl, nonce: request.response_nonce },
        'ACK/NACK for an unknown or expired nonce ignored',
      );
      return;
    }
    pending.delete(request.response_nonce);
    if (request.error_detail !== null) {
      state.lastNack = { nonce: request.response_nonce, message: request.error_detail.message, version, at: new Date() };
      this.ctx.logger.warn(
        { connection: this.ctx.conn.id, node: this.ctx.conn.node?.id ?? '', typeUrl: state.typeUrl, version },
        `xDS NACK: ${request.error_detail.message}`,
      );
      this.ctx.onNack(state.typeUrl, state.lastNack);
    } else {
      state.ackedVersion = version;
      state.ackedNonce = request.response_nonce;
    }
  }

  private rememberPending(typeUrl: string, nonce: string, version: string): void {
    let pending = this.pending.get(typeUrl);
    if (pending === undefined) {
      pending = new Map();
      this.pending.set(typeUrl, pending);
    }
    pending.set(nonce, version);
    if (pending.size > MAX_PENDING_NONCES) {
      const oldest = pending.keys().next().value;
      if (oldest !== undefined) pending.delete(oldest);
    }
  }
}
