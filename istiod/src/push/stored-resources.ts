// Model resources → what the xDS store holds. A resource's version is a hash of its canonical encoding (and its
// aliases), so "changed" means "different bytes": a rebuild that produces the same workload pushes nothing, and a
// ztunnel reconnecting with `initial_resource_versions` is sent only what differs from what it holds.
import { createHash } from 'node:crypto';
import type { ProtoCodec } from '@mesh/common/proto';
import type { StoredResource } from '@mesh/common/xds';

/** One model resource (the model's XdsResource shape). */
export interface ModelResource {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly value: object;
}

/** The version of an encoded resource: 16 bytes of SHA-256 over the bytes and the aliases, base64url. */
export function contentVersion(bytes: Uint8Array, aliases: readonly string[]): string {
  const hash = createHash('sha256').update(bytes);
  for (const alias of aliases) hash.update('\0').update(alias);
  return hash.digest().subarray(0, 16).toString('base64url');
}

/** Encodes every resource as `typeName` and versions it by content. Throws (ProtoError) on an unencodable value. */
export function toStoredResources(
  codec: ProtoCodec,
  typeName: string,
  resources: ReadonlyMap<string, ModelResource>,
): Map<string, StoredResource> {
  const out = new Map<string, StoredResource>();
  for (const [name, resource] of resources) {
    const any = codec.pack(typeName, resource.value);
    const aliases = [...resource.aliases];
    out.set(name, { version: contentVersion(any.value, aliases), resource: any, aliases });
  }
  return out;
}

interface CacheEntry {
  readonly key: string;
  readonly stored: StoredResource;
}

/**
 * toStoredResources for repeated rebuilds: a resource whose value and aliases serialise to the same JSON as
 * last time reuses its encoding (JSON.stringify is several times cheaper than protobuf encoding, and a push
 * after one pod change re-encodes one resource instead of every one). Values are the generated input shapes:
 * plain objects, arrays, strings, numbers and Buffers, which JSON.stringify renders in full.
 */
export class EncodingCache {
  readonly #codec: ProtoCodec;
  readonly #typeName: string;
  #entries = new Map<string, CacheEntry>();

  constructor(codec: ProtoCodec, typeName: string) {
    this.#codec = codec;
    this.#typeName = typeName;
  }

  /** Like toStoredResources; only resources that differ from the last call are encoded. */
  encode(resources: ReadonlyMap<string, ModelResource>): Map<string, StoredResource> {
    const next = new Map<string, CacheEntry>();
    const out = new Map<string, StoredResource>();
    for (const [name, resource] of resources) {
      const key = JSON.stringify([resource.value, resource.aliases]);
      let entry = this.#entries.get(name);
      if (entry === undefined || entry.key !== key) {
        const one = toStoredResources(this.#codec, this.#typeName, new Map([[name, resource]])).get(name) as StoredResource;
        entry = { key, stored: one };
      }
      next.set(name, entry);
      out.set(name, entry.stored);
    }
    // Replaced only after every resource encoded: a failure leaves the cache as it was.
    this.#entries = next;
    return out;
  }
}
