import type { Address__Output } from '../gen/istio/workload/Address.ts';
import type { ProtoCodec } from '../proto/index.ts';
import { TYPE_URL } from '../proto/index.ts';
import { protoResourceType } from '../xds/index.ts';
import type { StoredResource, WatchCallbacks, XdsResourceType } from '../xds/index.ts';

/**
 * An `istio.workload.Address` holding a Workload, ready for a ResourceStore. An empty `uid` makes a resource
 * that `addressType` rejects, for NACK tests.
 */
export function workloadAddress(codec: ProtoCodec, uid: string, version: string, name = 'pod'): StoredResource {
  return {
    version,
    resource: codec.pack('istio.workload.Address', { workload: { uid, name, namespace: 'default' } }),
  };
}

/** The Address resource type as ztunnel would register it: a Workload must have a uid; named by uid. */
export function addressType(codec: ProtoCodec): XdsResourceType<Address__Output> {
  return protoResourceType<Address__Output>(codec, TYPE_URL.ADDRESS, {
    validate: (address) => {
      if (address.workload !== undefined && address.workload !== null && address.workload.uid === '') {
        throw new Error('workload has no uid');
      }
    },
    nameOf: (address) => address.workload?.uid ?? `${address.service?.namespace}/${address.service?.hostname}`,
  });
}

/** One watcher event, as recorded by WatchRecorder. */
export type WatchEvent<T> = { kind: 'change'; name: string; value: T } | { kind: 'remove'; name: string };

/** Watch callbacks that record every event, with a way to wait for one. */
export class WatchRecorder<T> implements WatchCallbacks<T> {
  readonly events: WatchEvent<T>[] = [];
  private waiters: (() => void)[] = [];

  onChange(name: string, value: T): void {
    this.events.push({ kind: 'change', name, value });
    this.wake();
  }

  onRemove(name: string): void {
    this.events.push({ kind: 'remove', name });
    this.wake();
  }

  /** Resolves when `predicate` holds for the recorded events; rejects after `timeoutMs` naming `what`. */
  async waitFor(what: string, predicate: (events: readonly WatchEvent<T>[]) => boolean, timeoutMs = 5000): Promise<void> {
    await waitUntil(what, () => predicate(this.events), timeoutMs, (wake) => this.waiters.push(wake));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Polls `condition` (every 5 ms, or when `subscribe`'s wake is called) until it holds; rejects after
 * `timeoutMs` with a message naming `what`, so a broken test fails instead of hanging.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean,
  timeoutMs = 5000,
  subscribe?: (wake: () => void) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5);
      subscribe?.(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
