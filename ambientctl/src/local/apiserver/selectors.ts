import { badRequest } from './errors.ts';

/** A parsed selector: a predicate over an object. Parse once per request, apply to many objects. */
export type Matcher = (obj: Record<string, unknown>) => boolean;

type Op = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

/** One requirement of a label selector, e.g. `app in (a,b)`. */
export interface Requirement {
  readonly key: string;
  readonly op: Op;
  readonly values: readonly string[];
}

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, sel: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${sel}"`);
  return key;
}

function checkValue(v: string, sel: string): string {
  if (v.length > 63 || !VALUE.test(v)) throw badRequest(`unable to parse requirement: invalid label value "${v}" in selector "${sel}"`);
  return v;
}

function parseRequirement(part: string, sel: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (m) {
    const values = (m[3] ?? '').split(',').map((v) => checkValue(v.trim(), sel));
    return { key: checkKey(m[1] ?? '', sel), op: m[2] as 'in' | 'notin', values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(part);
  if (m) {
    const opText = m[2] ?? '';
    const value = m[3] ?? '';
    if (opText === '>' || opText === '<') {
      if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for '${opText}' the value must be an integer in selector "${sel}"`);
      return { key: checkKey(m[1] ?? '', sel), op: opText === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key: checkKey(m[1] ?? '', sel), op: opText === '!=' ? '!=' : '=', values: [checkValue(value, sel)] };
  }
  m = /^(!?)\s*([^=!<>\s()]+)$/.exec(part);
  if (m) return { key: checkKey(m[2] ?? '', sel), op: m[1] ? 'notexists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: "${part}" is not a valid requirement in selector "${sel}"`);
}

/** Parses a label selector (equality- and set-based). An empty selector matches everything. */
export function parseLabelSelector(sel: string): Requirement[] {
  if (sel.trim() === '') return [];
  return splitTop(sel).map((p) => {
    if (p === '') throw badRequest(`unable to parse requirement: empty requirement in selector "${sel}"`);
    return parseRequirement(p, sel);
  });
}

/** True when the label set satisfies every requirement. */
export function matchesLabels(reqs: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v ?? '')) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.op === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

/** One requirement of a field selector: a dotted path compared to a value. */
export interface FieldRequirement {
  readonly path: string;
  readonly equal: boolean;
  readonly value: string;
}

/** Parses a field selector (`metadata.name=x,status.phase!=Failed`). */
export function parseFieldSelector(sel: string): FieldRequirement[] {
  if (sel.trim() === '') return [];
  return splitTop(sel).map((p) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m) throw badRequest(`invalid field selector: "${p}" is not of the form field=value or field!=value`);
    return { path: m[1] ?? '', equal: m[2] !== '!=', value: m[3] ?? '' };
  });
}

/** Reads a dotted path; a missing field reads as "" (so `spec.nodeName=` selects unscheduled pods). */
export function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: Record<string, unknown>): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) === r.equal);
}

/** Builds one predicate from the `labelSelector` and `fieldSelector` query parameters. */
export function selectorMatcher(labelSelector: string | null, fieldSelector: string | null): Matcher {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  if (labels.length === 0 && fields.length === 0) return () => true;
  return (obj) => {
    const meta = (obj['metadata'] ?? {}) as { labels?: Record<string, string> };
    return matchesLabels(labels, meta.labels ?? {}) && matchesFields(fields, obj);
  };
}
