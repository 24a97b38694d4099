// One push: snapshot → model → store. The store diffs by content version, so only resources whose bytes
// changed (or that disappeared) reach the streams; the streams then send just those names.
import { performance } from 'node:perf_hooks';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import type { ProtoCodec } from '@mesh/common/proto';
import { TYPE_URL } from '@mesh/common/proto';
import type { ResourceStore, StoreChange } from '@mesh/common/xds';
import { EncodingCache } from './stored-resources.ts';
import type { ModelResource } from './stored-resources.ts';

/** The model as the pusher needs it (istiod/src/model's MeshModel fits). */
export interface PushModel {
  readonly addresses: ReadonlyMap<string, ModelResource>;
  readonly authorizations: ReadonlyMap<string, ModelResource>;
  readonly errors: readonly { readonly object: string; readonly message: string }[];
}

/** What one push did. */
export interface PushResult {
  /** 1 for the first push, then counting. */
  readonly sequence: number;
  readonly addresses: StoreChange;
  readonly authorizations: StoreChange;
  readonly buildMs: number;
  readonly totalMs: number;
}

export interface PusherInputs<S> {
  readonly codec: ProtoCodec;
  readonly store: ResourceStore;
  readonly snapshot: () => S;
  readonly build: (snapshot: S) => PushModel;
  readonly logger: Logger;
  /** After every successful push (metrics). */
  readonly onPushed?: (result: PushResult) => void;
}

const ADDRESS_TYPE = 'istio.workload.Address';
const AUTHORIZATION_TYPE = 'istio.security.Authorization';

export class Pusher<S> {
  readonly #in: PusherInputs<S>;
  readonly #addressCache: EncodingCache;
  readonly #authorizationCache: EncodingCache;
  #model: PushModel | null = null;
  #sequence = 0;
  #lastErrors = '';

  constructor(inputs: PusherInputs<S>) {
    this.#in = inputs;
    this.#addressCache = new EncodingCache(inputs.codec, ADDRESS_TYPE);
    this.#authorizationCache = new EncodingCache(inputs.codec, AUTHORIZATION_TYPE);
  }

  /** The model of the last successful push (null before it). */
  get model(): PushModel | null {
    return this.#model;
  }

  get sequence(): number {
    return this.#sequence;
  }

  /**
   * Rebuilds and applies the model. On failure (a model bug, an unencodable resource) it logs, changes nothing
   * and returns null: ztunnels keep the last good state.
   */
  push(reason: string): PushResult | null {
    const started = performance.now();
    let model: PushModel;
    let addresses;
    let authorizations;
    let built: number;
    try {
      model = this.#in.build(this.#in.snapshot());
      built = performance.now();
      addresses = this.#addressCache.encode(model.addresses);
      authorizations = this.#authorizationCache.encode(model.authorizations);
    } catch (err) {
      this.#in.logger.error({ reason }, `push failed, keeping the last pushed state: ${errorMessage(err)}`);
      return null;
    }
    // Policies first: a workload naming a new policy should find it already there.
    const authzChange = this.#in.store.setResources(TYPE_URL.AUTHORIZATION, authorizations);
    const addressChange = this.#in.store.setResources(TYPE_URL.ADDRESS, addresses);
    this.#model = model;
    this.#reportModelErrors(model);
    const result: PushResult = {
      sequence: ++this.#sequence,
      addresses: addressChange,
      authorizations: authzChange,
      buildMs: built - started,
      totalMs: performance.now() - started,
    };
    this.#in.logger.debug(
      {
        reason,
        sequence: result.sequence,
        addressesChanged: addressChange.changed.length,
        addressesRemoved: addressChange.removed.length,
        authorizationsChanged: authzChange.changed.length,
        authorizationsRemoved: authzChange.removed.length,
        ms: Math.round(result.totalMs),
      },
      'pushed',
    );
    this.#in.onPushed?.(result);
    return result;
  }

  #reportModelErrors(model: PushModel): void {
    const text = model.errors.map((e) => `${e.object}: ${e.message}`).join('; ');
    if (text === this.#lastErrors) return;
    this.#lastErrors = text;
    if (text !== '') this.#in.logger.warn({ count: model.errors.length }, `objects skipped by the model: ${text}`);
  }
}
