// Typed readers over an environment record. Callers pass the record in (each component's config.ts hands over
// process.env once), so library code and tests never depend on the real process environment.
//
// Shared rule: a variable that is unset, or set to only whitespace, yields the default. envString is the one
// exception: it returns an explicitly empty value as '', because Istio gives some empty strings a meaning
// (an empty XDS_ADDRESS means "no control plane").
import { ConfigError } from './config-error.ts';

/** The environment as handed in by a component's config.ts. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A parsed `host:port` or `[v6]:port`. `host` carries no brackets. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Bounds for envInt; both inclusive. */
export interface IntBounds {
  readonly min?: number;
  readonly max?: number;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const TRUE_WORDS = new Set(['true', '1']);
const FALSE_WORDS = new Set(['false', '0']);

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') return undefined;
  return value.trim();
}

function invalid(name: string, value: string, expected: string): ConfigError {
  return new ConfigError(`${name}=${JSON.stringify(value)} is invalid: expected ${expected}`);
}

/** The variable's value as-is (an explicit empty string is kept), or the default when unset. */
export function envString(env: Env, name: string, def: string): string {
  return env[name] ?? def;
}

/** A base-10 integer, optionally bounded. */
export function envInt(env: Env, name: string, def: number, bounds: IntBounds = {}): number {
  const value = raw(env, name);
  if (value === undefined) return def;
  if (!/^[+-]?\d+$/.test(value)) throw invalid(name, value, 'an integer');
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw invalid(name, value, 'an integer within the safe range');
  if (bounds.min !== undefined && n < bounds.min) throw invalid(name, value, `an integer >= ${bounds.min}`);
  if (bounds.max !== undefined && n > bounds.max) throw invalid(name, value, `an integer <= ${bounds.max}`);
  return n;
}

/** `true`/`false`/`1`/`0` (case-insensitive); anything else is an error rather than a silent false. */
export function envBool(env: Env, name: string, def: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return def;
  const lower = value.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  throw invalid(name, value, 'one of true, false, 1, 0');
}

/**
 * Parses a duration such as `500ms`, `10s`, `5m`, `1h` or `1.5s` into milliseconds. A plain number means
 * seconds, the unit Istio's integer timeout settings use. Throws a plain Error; envDuration adds the name.
 */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const unitMs = DURATION_UNITS_MS[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unitMs);
}

/** A duration (see parseDuration) in milliseconds; `def` is in milliseconds too. */
export function envDuration(env: Env, name: string, defMs: number): number {
  const value = raw(env, name);
  if (value === undefined) return defMs;
  try {
    return parseDuration(value);
  } catch {
    throw invalid(name, value, 'a duration like 500ms, 10s, 5m, 1h or a number of seconds');
  }
}

/** Parses `host:port` or `[v6]:port` (port 0..65535). Throws a plain Error; envAddress adds the name. */
export function parseAddress(text: string): Address {
  const t = text.trim();
  let host: string;
  let portText: string;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0 || t[close + 1] !== ':') throw new Error(`not [v6]:port: ${JSON.stringify(text)}`);
    host = t.slice(1, close);
    portText = t.slice(close + 2);
    if (!host.includes(':')) throw new Error(`brackets are only for IPv6 hosts: ${JSON.stringify(text)}`);
  } else {
    const colon = t.lastIndexOf(':');
    if (colon < 0) throw new Error(`missing port: ${JSON.stringify(text)}`);
    host = t.slice(0, colon);
    portText = t.slice(colon + 1);
    // An unbracketed IPv6 literal is ambiguous (which colon starts the port?), so it is refused.
    if (host.includes(':')) throw new Error(`IPv6 hosts need brackets: ${JSON.stringify(text)}`);
  }
  if (host === '') throw new Error(`missing host: ${JSON.stringify(text)}`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new Error(`bad port ${JSON.stringify(portText)} in ${JSON.stringify(text)}`);
  }
  return { host, port: Number(portText) };
}

/** Formats an Address back to `host:port`, bracketing IPv6 hosts. */
export function formatAddress(addr: Address): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}

/** A `host:port` or `[v6]:port` address. */
export function envAddress(env: Env, name: string, def: Address): Address {
  const value = raw(env, name);
  if (value === undefined) return def;
  try {
    return parseAddress(value);
  } catch (err) {
    throw invalid(name, value, `host:port or [v6]:port (${(err as Error).message})`);
  }
}

/** A comma-separated list; items are trimmed and empty items dropped (so `a,,b,` is `[a, b]`). */
export function envList(env: Env, name: string, def: readonly string[]): string[] {
  const value = raw(env, name);
  if (value === undefined) return [...def];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
