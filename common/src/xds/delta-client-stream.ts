import type { DeltaDiscoveryRequest } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryRequest.ts';
import type { DeltaDiscoveryResponse__Output } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryResponse.ts';
import { NACK_CODE } from './client-stream.ts';
import type { ClientStream, ClientStreamContext } from './client-stream.ts';
import { WILDCARD } from './client-type-state.ts';
import type { ClientTypeState } from './client-type-state.ts';
import { decodeResource, nackMessage } from './decode-resource.ts';

/**
 * Client side of one `DeltaAggregatedResources` stream. The first request per type carries what the client
 * holds (`initial_resource_versions`), so after a reconnect the server sends only changes and removals.
 */
export class DeltaClientStream implements ClientStream<DeltaDiscoveryResponse__Output> {
  private readonly ctx: ClientStreamContext<DeltaDiscoveryRequest>;
  /** What the server has been told per type on this stream. */
  private readonly subscribed = new Map<string, Set<string>>();
  private nodeSent = false;

  constructor(ctx: ClientStreamContext<DeltaDiscoveryRequest>) {
    this.ctx = ctx;
  }

  start(): void {
    for (const [typeUrl, state] of this.ctx.types) if (state.watched) this.updateSubscription(typeUrl);
  }

  updateSubscription(typeUrl: string): void {
    const state = this.ctx.types.get(typeUrl);
    if (state === undefined) return;
    const desired = state.desired();
    const sent = this.subscribed.get(typeUrl);
    if (sent === undefined) {
      if (desired.size === 0) return;
      this.subscribed.set(typeUrl, desired);
      const initial: Record<string, string> = {};
      for (const [name, entry] of state.entries) if (state.inScope(name)) initial[name] = entry.version;
      // A wildcard-only first request is sent with an empty list: the form every server understands.
      const onlyWildcard = desired.size === 1 && desired.has(WILDCARD);
      this.send({
        type_url: typeUrl,
        resource_names_subscribe: onlyWildcard ? [] : [...desired],
        initial_resource_versions: initial,
      });
      return;
    }
    const subscribe = [...desired].filter((name) => !sent.has(name));
    const unsubscribe = [...sent].filter((name) => !desired.has(name));
    if (subscribe.length === 0 && unsubscribe.length === 0) return;
    this.subscribed.set(typeUrl, desired);
    this.send({ type_url: typeUrl, resource_names_subscribe: subscribe, resource_names_unsubscribe: unsubscribe });
  }

  handleResponse(response: DeltaDiscoveryResponse__Output): void {
    const state = this.ctx.types.get(response.type_url);
    if (state === undefined) {
      this.nack(response.type_url, response.nonce, `unknown type URL ${JSON.stringify(response.type_url)}`);
      return;
    }
    const failures = this.apply(state, response);
    if (failures === '') {
      this.send({ type_url: response.type_url, response_nonce: response.nonce });
    } else {
      this.ctx.logger.warn({ typeUrl: response.type_url, nonce: response.nonce }, `xDS NACK: ${failures}`);
      this.nack(response.type_url, response.nonce, failures);
    }
    state.markResponded();
  }

  /** Applies the good resources and the removals; returns the NACK message for the bad ones ('' if none). */
  private apply(state: ClientTypeState<unknown>, response: DeltaDiscoveryResponse__Output): string {
    const failures: { name: string | null; reason: string; index: number }[] = [];
    response.resources.forEach((resource, index) => {
      if (resource.name === '') {
        failures.push({ name: null, reason: 'resource has no name', index });
        return;
      }
      const result = decodeResource(state.type, resource.resource, resource.name);
      if (result.ok) state.upsert(result.name, resource.version, result.value, resource.resource?.value ?? new Uint8Array());
      else failures.push({ name: result.name, reason: result.reason, index });
    });
    for (const name of response.removed_resources) state.remove(name);
    return nackMessage(failures);
  }

  private nack(typeUrl: string, nonce: string, message: string): void {
    this.send({ type_url: typeUrl, response_nonce: nonce, error_detail: { code: NACK_CODE, message } });
  }

  private send(request: DeltaDiscoveryRequest): void {
    if (!this.nodeSent) {
      this.nodeSent = true;
      request = { ...request, node: this.ctx.node };
    }
    this.ctx.send(request);
  }
}
