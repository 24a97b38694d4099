// Model values as readable JSON: address bytes become IP strings (as ztunnel's config_dump shows them), other
// bytes base64.
import { isIP } from 'node:net';

function bytesToText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
    const text = groups.join(':');
    return isIP(text) === 6 ? text : Buffer.from(bytes).toString('base64');
  }
  return Buffer.from(bytes).toString('base64');
}

/** A deep copy with every Uint8Array replaced by text; Maps become objects. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return bytesToText(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}
