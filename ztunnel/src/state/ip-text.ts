import { isIP } from 'node:net';

/**
 * One text form per address, so index keys from WDS bytes, YAML text and socket addresses agree: IPv4 as is,
 * IPv4-mapped IPv6 as IPv4, other IPv6 compressed and lowercase. Returns '' for text that is not an IP.
 */
export function canonicalIpText(ip: string): string {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return '';
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1] as string;
  return new URL(`http://[${lower}]`).hostname.slice(1, -1);
}
