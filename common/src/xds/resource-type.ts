import type { AnyMessage, ProtoCodec } from '../proto/index.ts';
import { typeNameOf } from '../proto/index.ts';

/**
 * A resource type a client understands. `decode` turns the Any into a value (throwing on bad bytes), `validate`
 * throws with a reason for a value that decodes but is unusable; both reasons end up in the NACK.
 */
export interface XdsResourceType<T> {
  typeUrl: string;
  decode(any: AnyMessage): T;
  validate?(value: T): void;
  /**
   * The resource's name, taken from the value. Needed by state-of-the-world streams only, whose responses carry
   * bare Anys (delta responses name every resource).
   */
  nameOf?(value: T): string;
}

/** What a watcher is told. Callbacks run after the client has recorded the change. */
export interface WatchCallbacks<T> {
  onChange(name: string, value: T): void;
  onRemove(name: string): void;
}

/** A resource type decoded with the shared codec into the generated `__Output` shape. */
export function protoResourceType<T>(
  codec: ProtoCodec,
  typeUrl: string,
  extra: Pick<XdsResourceType<T>, 'validate' | 'nameOf'> = {},
): XdsResourceType<T> {
  const typeName = typeNameOf(typeUrl);
  return {
    typeUrl,
    decode: (any) => codec.unpack<T>(any, typeName),
    ...extra,
  };
}
