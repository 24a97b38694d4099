import type { DiscoveryRequest } from '../gen/envoy/service/discovery/v3/DiscoveryRequest.ts';
import type { DiscoveryResponse__Output } from '../gen/envoy/service/discovery/v3/DiscoveryResponse.ts';
import { NACK_CODE } from './client-stream.ts';
import type { ClientStream, ClientStreamContext } from './client-stream.ts';
import { WILDCARD } from './client-type-state.ts';
import type { ClientTypeState } from './client-type-state.ts';
import { decodeResource, nackMessage } from './decode-resource.ts';

/**
 * Client side of one `StreamAggregatedResources` stream. ACK/NACK is per response: a NACK repeats the last
 * accepted `version_info`, yet the good resources of the rejected response are still applied (as ztunnel and
 * Envoy's delta path do), and a bad resource keeps its last good value.
 */
export class SotwClientStream implements ClientStream<DiscoveryResponse__Output> {
  private readonly ctx: ClientStreamContext<DiscoveryRequest>;
  /** Last nonce received per type on this stream; present once the type's first request went out. */
  private readonly nonces = new Map<string, string>();
  private readonly sentNames = new Map<string, string>();
  private nodeSent = false;

  constructor(ctx: ClientStreamContext<DiscoveryRequest>) {
    this.ctx = ctx;
  }

  start(): void {
    for (const [typeUrl, state] of this.ctx.types) if (state.watched) this.updateSubscription(typeUrl);
  }

  updateSubscription(typeUrl: string): void {
    const state = this.ctx.types.get(typeUrl);
    // SotW cannot express "none" (an empty list means everything), so a type nobody watches any more is left as is.
    if (state === undefined || !state.watched) return;
    const names = resourceNames(state);
    const key = names.join('\n');
    if (this.sentNames.get(typeUrl) === key) return;
    this.sentNames.set(typeUrl, key);
    if (!this.nonces.has(typeUrl)) this.nonces.set(typeUrl, '');
    this.send({
      type_url: typeUrl,
      version_info: state.acceptedVersion,
      resource_names: names,
      response_nonce: this.nonces.get(typeUrl) ?? '',
    });
  }

  handleResponse(response: DiscoveryResponse__Output): void {
    const state = this.ctx.types.get(response.type_url);
    this.nonces.set(response.type_url, response.nonce);
    if (state === undefined) {
      const message = `unknown type URL ${JSON.stringify(response.type_url)}`;
      this.send({ type_url: response.type_url, response_nonce: response.nonce, error_detail: { code: NACK_CODE, message } });
      return;
    }
    const failures = this.apply(state, response);
    if (failures === '') state.acceptedVersion = response.version_info;
    else this.ctx.logger.warn({ typeUrl: response.type_url, version: response.version_info }, `xDS NACK: ${failures}`);
    this.send({
      type_url: response.type_url,
      version_info: state.acceptedVersion,
      resource_names: resourceNames(state),
      response_nonce: response.nonce,
      ...(failures === '' ? {} : { error_detail: { code: NACK_CODE, message: failures } }),
    });
    state.markResponded();
  }

  private apply(state: ClientTypeState<unknown>, response: DiscoveryResponse__Output): string {
    const failures: { name: string | null; reason: string; index: number }[] = [];
    const present = new Set<string>();
    let allNamed = true;
    response.resources.forEach((any, index) => {
      const result = decodeResource(state.type, any, null);
      if (result.name !== null) present.add(result.name);
      else allNamed = false;
      if (result.ok) state.upsert(result.name, response.version_info, result.value, any.value);
      else failures.push({ name: result.name, reason: result.reason, index });
    });
    // State of the world: what is in scope but absent is gone. If some resource could not even be named, it
    // may be one we hold, so nothing is removed on that response rather than dropping a live resource.
    if (allNamed) {
      for (const name of [...state.entries.keys()]) if (state.inScope(name) && !present.has(name)) state.remove(name);
    }
    return nackMessage(failures);
  }

  private send(request: DiscoveryRequest): void {
    if (!this.nodeSent) {
      this.nodeSent = true;
      request = { ...request, node: this.ctx.node };
    }
    this.ctx.send(request);
  }
}

/** `[]` for wildcard only (understood by every server), otherwise the names (with '*' if also wildcard). */
function resourceNames(state: ClientTypeState<unknown>): string[] {
  const names = state.names().sort();
  if (!state.wildcard) return names;
  return names.length === 0 ? [] : [WILDCARD, ...names];
}
