import type { StringMatch__Output } from '../gen/istio/security/StringMatch.ts';

/**
 * Converts one AuthorizationPolicy string value into a StringMatch the way istiod does: `*` means "present",
 * a leading `*` is a suffix match, a trailing `*` a prefix match, anything else exact.
 */
export function toStringMatch(value: string): StringMatch__Output {
  if (value === '*') return { presence: {}, match_type: 'presence' };
  if (value.startsWith('*')) return { suffix: value.slice(1), match_type: 'suffix' };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1), match_type: 'prefix' };
  return { exact: value, match_type: 'exact' };
}
