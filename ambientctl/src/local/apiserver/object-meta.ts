import { randomUUID, randomInt } from 'node:crypto';
import type { KubeObject } from './store.ts';

// The alphabet Kubernetes uses for generated name suffixes: no vowels, so no words, and no look-alike digits.
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + five random characters, as the real server does. */
export function generatedName(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** RFC 3339 with whole seconds, the form Kubernetes timestamps take on the wire. */
export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Fields the user owns, compared to decide whether `metadata.generation` moves: all but metadata and status. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const rest: Record<string, unknown> = { ...o };
    delete rest['metadata'];
    delete rest['status'];
    delete rest['kind'];
    delete rest['apiVersion'];
    return stableStringify(rest);
  };
  return strip(a) !== strip(b);
}

/** JSON with sorted keys, so two equal objects compare equal whatever order their keys were written in. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
