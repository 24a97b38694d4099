import { isIP } from 'node:net';
import { HboneError } from './hbone-error.ts';

/** A parsed CONNECT `:authority`: an IP socket address, or `hostname:port` (double HBONE / gateways). */
export interface Authority {
  readonly host: string;
  readonly port: number;
  /** 4 or 6 for an IP address, 0 for a hostname. */
  readonly family: 0 | 4 | 6;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Parses `ip:port`, `[v6]:port` or `hostname:port`; anything else is ERR_HBONE_BAD_AUTHORITY naming the value. */
export function parseAuthority(value: string | undefined): Authority {
  if (value === undefined || value === '') {
    throw new HboneError('ERR_HBONE_BAD_AUTHORITY', 'CONNECT request has no :authority');
  }
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') throw bad(value, 'expected [ipv6]:port');
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (isIP(host) !== 6) throw bad(value, `${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon <= 0) throw bad(value, 'expected host:port');
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) throw bad(value, 'IPv6 addresses must be in brackets');
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad(value, `port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw bad(value, `port ${port} is out of range`);
  const family = isIP(host) as 0 | 4 | 6;
  if (family === 0 && !HOSTNAME.test(host)) throw bad(value, `${JSON.stringify(host)} is not an IP or a hostname`);
  return { host, port, family };
}

function bad(value: string, why: string): HboneError {
  return new HboneError('ERR_HBONE_BAD_AUTHORITY', `bad CONNECT authority ${JSON.stringify(value)}: ${why}`);
}

/**
 * The check every HBONE server makes of a request before asking its handler: the method must be CONNECT
 * (ERR_HBONE_BAD_METHOD) and the authority a target (ERR_HBONE_BAD_AUTHORITY). Throws; the server answers 400.
 */
export function connectAuthority(headers: { readonly ':method'?: string; readonly ':authority'?: string }): Authority {
  if (headers[':method'] !== 'CONNECT') {
    throw new HboneError('ERR_HBONE_BAD_METHOD', `method ${String(headers[':method'])} is not CONNECT`);
  }
  return parseAuthority(headers[':authority']);
}
