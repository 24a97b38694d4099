import type { Address__Output } from '../gen/istio/security/Address.ts';
import type { Authorization__Output } from '../gen/istio/security/Authorization.ts';
import type { Match__Output } from '../gen/istio/security/Match.ts';
import type { StringMatch__Output } from '../gen/istio/security/StringMatch.ts';
import { parseIpBlock } from './ip.ts';

/**
 * The converters build fully populated messages (every list present, enums as strings, bytes as Buffers): the
 * same shape `ProtoCodec.decode` returns, so a converted policy can go straight to `compilePolicy` or be encoded.
 */
export type Authorization = Authorization__Output;

/** A Match with every list empty; fill in what applies. */
export function emptyMatch(fields: Partial<Match__Output> = {}): Match__Output {
  return {
    namespaces: [],
    not_namespaces: [],
    principals: [],
    not_principals: [],
    source_ips: [],
    not_source_ips: [],
    destination_ips: [],
    not_destination_ips: [],
    destination_ports: [],
    not_destination_ports: [],
    service_accounts: [],
    not_service_accounts: [],
    extensions: [],
    ...fields,
  };
}

/** `presence: {}` — "some value is present"; in `not_principals` it means "deny when there is no identity". */
export const PRESENCE: StringMatch__Output = Object.freeze({ presence: {}, match_type: 'presence' });

/** Addresses for already-validated IP/CIDR strings (see `readIpBlocks`). */
export function toAddresses(blocks: readonly string[]): Address__Output[] {
  return blocks.map((b) => {
    const parsed = parseIpBlock(b);
    if (!parsed) throw new Error(`internal: unvalidated IP block ${JSON.stringify(b)}`);
    return { address: Buffer.from(parsed.address), length: parsed.length };
  });
}

/** True when no list of the match is populated; ztunnel never matches such a match. */
export function isEmptyMatch(m: Match__Output): boolean {
  return (
    m.namespaces.length + m.not_namespaces.length + m.principals.length + m.not_principals.length +
    m.source_ips.length + m.not_source_ips.length + m.destination_ips.length + m.not_destination_ips.length +
    m.destination_ports.length + m.not_destination_ports.length + m.service_accounts.length +
    m.not_service_accounts.length === 0
  );
}
