import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as raw network-order bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/**
 * Parses a textual IPv4 or IPv6 address into bytes, or returns null when it is not one. Zones (`%eth0`) are
 * refused: policies and connections compare bare addresses.
 */
export function parseIp(text: string): IpBytes | null {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (isIPv6(text) && !text.includes('%')) return parseIpv6(text);
  return null;
}

function parseIpv6(text: string): IpBytes {
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) takes the last four bytes.
  let tail: number[] = [];
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = text.slice(lastColon + 1).split('.').map(Number);
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = body.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...(rest === undefined ? [] : new Array<string>(zeros).fill('0')), ...restGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/** Formats address bytes back into text (IPv6 in full, lowercase, without `::` compression). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) becomes its IPv4 form, as ztunnel canonicalises socket
 * addresses before matching; anything else is returned unchanged.
 */
export function canonicalIp(bytes: IpBytes): IpBytes {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return bytes;
  return bytes.slice(12);
}

/** A CIDR block with its host bits cleared, ready for {@link cidrContains}. */
export interface Cidr {
  readonly network: IpBytes;
  readonly prefix: number;
}

/** Builds a CIDR from address bytes and a prefix length; null when the length is out of range for the family. */
export function makeCidr(address: IpBytes, prefix: number): Cidr | null {
  if (address.length !== 4 && address.length !== 16) return null;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > address.length * 8) return null;
  const network = new Uint8Array(address.length);
  for (let i = 0; i < address.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    network[i] = (address[i] ?? 0) & ((0xff << (8 - bits)) & 0xff);
  }
  return { network, prefix };
}

/** True when `ip` is inside `cidr`; addresses of the other family are never inside. */
export function cidrContains(cidr: Cidr, ip: IpBytes): boolean {
  if (ip.length !== cidr.network.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const bits = Math.max(0, Math.min(8, cidr.prefix - i * 8));
    if (bits === 0) return true;
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((ip[i] ?? 0) & mask) !== cidr.network[i]) return false;
  }
  return true;
}

/**
 * Parses `ip` or `ip/len` as written in an AuthorizationPolicy into the address bytes as written (host bits
 * kept, like istiod) and the prefix length (the full width for a bare address). Null when it is neither.
 */
export function parseIpBlock(text: string): { address: IpBytes; length: number } | null {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseIp(text);
    return address ? { address, length: address.length * 8 } : null;
  }
  const address = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!address || !/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return null;
  const length = Number(lenText);
  return length <= address.length * 8 ? { address, length } : null;
}
