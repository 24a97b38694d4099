import type { StatusCause } from './errors.ts';
import type { ObjectMeta } from './store.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Problems with an object name; namespaces (and services) must be DNS labels, everything else DNS subdomains. */
export function nameProblems(name: string, dnsLabel: boolean): StatusCause[] {
  const max = dnsLabel ? 63 : 253;
  const re = dnsLabel ? DNS_LABEL : DNS_SUBDOMAIN;
  if (name.length > max || !re.test(name)) {
    const what = dnsLabel ? 'RFC 1123 label' : 'RFC 1123 subdomain';
    return [{
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most ${max} characters)`,
    }];
  }
  return [];
}

function keyProblems(key: string, field: string): StatusCause[] {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const ok = name.length <= 63 && LABEL_NAME.test(name) && (slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  return ok ? [] : [{ reason: 'FieldValueInvalid', field, message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'` }];
}

/** Checks the shape of labels, annotations and finalizers: what a client could get wrong in metadata. */
export function metadataProblems(meta: ObjectMeta): StatusCause[] {
  const out: StatusCause[] = [];
  const maps: ['labels' | 'annotations', boolean][] = [['labels', true], ['annotations', false]];
  for (const [field, strictValues] of maps) {
    const m = meta[field];
    if (m === undefined || m === null) continue;
    if (typeof m !== 'object' || Array.isArray(m)) {
      out.push({ reason: 'FieldValueInvalid', field: `metadata.${field}`, message: 'must be a map of string to string' });
      continue;
    }
    for (const [k, v] of Object.entries(m)) {
      out.push(...keyProblems(k, `metadata.${field}`));
      if (typeof v !== 'string') {
        out.push({ reason: 'FieldValueInvalid', field: `metadata.${field}.${k}`, message: 'value must be a string' });
      } else if (strictValues && (v.length > 63 || !LABEL_VALUE.test(v))) {
        out.push({ reason: 'FieldValueInvalid', field: `metadata.labels`, message: `Invalid value: "${v}": a valid label value must be 63 characters or less and consist of alphanumeric characters, '-', '_' or '.'` });
      }
    }
  }
  if (meta.finalizers !== undefined && (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== 'string'))) {
    out.push({ reason: 'FieldValueInvalid', field: 'metadata.finalizers', message: 'must be a list of strings' });
  }
  return out;
}
