import { errorMessage } from '../errors.ts';
import type { AnyMessage } from '../proto/index.ts';
import type { XdsResourceType } from './resource-type.ts';

/** The outcome of decoding one resource of a response. `name` is null when it could not be learned. */
export type DecodeResult<T> =
  | { ok: true; name: string; value: T }
  | { ok: false; name: string | null; reason: string };

/**
 * Decodes and validates one resource. `knownName` is the delta `Resource.name`; without it (SotW) the name comes
 * from `type.nameOf`. Never throws: every failure becomes a reason for the NACK.
 */
export function decodeResource<T>(
  type: XdsResourceType<T>,
  any: AnyMessage | null,
  knownName: string | null,
): DecodeResult<T> {
  let name = knownName;
  if (any === null) return { ok: false, name, reason: 'resource has no body' };
  if (any.type_url !== type.typeUrl) {
    return { ok: false, name, reason: `type URL ${JSON.stringify(any.type_url)}, expected ${type.typeUrl}` };
  }
  let value: T;
  try {
    value = type.decode(any);
  } catch (err) {
    return { ok: false, name, reason: errorMessage(err) };
  }
  if (name === null) {
    if (type.nameOf === undefined) return { ok: false, name, reason: `${type.typeUrl} has no nameOf for SotW` };
    try {
      name = type.nameOf(value);
    } catch (err) {
      return { ok: false, name, reason: `cannot name resource: ${errorMessage(err)}` };
    }
    if (name === '') return { ok: false, name: null, reason: 'resource has an empty name' };
  }
  try {
    type.validate?.(value);
  } catch (err) {
    return { ok: false, name, reason: errorMessage(err) };
  }
  return { ok: true, name, value };
}

/** The NACK `error_detail.message`: "<name>: <reason>; <name>: <reason>" (unnamed ones as `resource[i]`). */
export function nackMessage(failures: readonly { name: string | null; reason: string; index: number }[]): string {
  return failures.map((f) => `${f.name ?? `resource[${f.index}]`}: ${f.reason}`).join('; ');
}
