import { parseIp } from '@mesh/common/authz';

/** An address as WDS carries it (raw bytes) and as aliases name it (canonical text). */
export interface ParsedIp {
  readonly bytes: Buffer;
  readonly text: string;
  /** Prefix length for a CIDR; undefined for a host address. */
  readonly length?: number;
}

/** Parses an IPv4/IPv6 address; null when `text` is not one. IPv6 text is made canonical (RFC 5952, like Go). */
export function parseAddress(text: string): ParsedIp | null {
  const bytes = parseIp(text);
  if (!bytes) return null;
  return { bytes: Buffer.from(bytes), text: bytes.length === 4 ? text : canonicalIpv6(text) };
}

/** Parses `ip` or `ip/len` (ServiceEntry addresses); a full-length prefix is a host address. */
export function parseAddressOrCidr(text: string): ParsedIp | null {
  const slash = text.indexOf('/');
  if (slash < 0) return parseAddress(text);
  const ip = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(lenText)) return null;
  const length = Number(lenText);
  const max = ip.bytes.length * 8;
  if (length > max) return null;
  if (length === max) return ip;
  return { bytes: ip.bytes, text: ip.text, length };
}

/** The `<network>/<ip>` (or `<network>/<ip>/<len>`) alias of an address. */
export function addressAlias(network: string, ip: ParsedIp): string {
  return ip.length === undefined ? `${network}/${ip.text}` : `${network}/${ip.text}/${ip.length}`;
}

function canonicalIpv6(text: string): string {
  // The WHATWG URL parser serialises IPv6 hosts in RFC 5952 form (lowercase, longest zero run as `::`).
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}
