// The JSON merge patch `apply` sends, computed three-way like kubectl does for types without a strategic merge
// schema: fields removed since the last apply (original → modified) are deleted (null), and fields whose live
// value (current) differs from the manifest (modified) are set. Fields the manifest never mentioned, such as
// those the server or controllers fill in, are left alone. Lists are replaced as a whole (merge patch rules).

/** A JSON-like object: plain objects or the client library's model instances (compared by own properties). */
export type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function defined(o: Obj): [string, unknown][] {
  return Object.entries(o).filter(([, v]) => v !== undefined);
}

/** Deep equality that ignores prototypes and `undefined` properties (absent and undefined are the same). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : String(a instanceof Date ? a.toISOString() : a) === String(b instanceof Date ? b.toISOString() : b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ea = defined(a);
    const eb = defined(b);
    return ea.length === eb.length && ea.every(([k, v]) => sameValue(v, b[k]));
  }
  return false;
}

/** Fields of `original` that `modified` no longer has, as nulls (recursing into objects both have). */
function deletions(original: Obj, modified: Obj): Obj {
  const out: Obj = {};
  for (const [k, ov] of defined(original)) {
    const mv = modified[k];
    if (mv === undefined) out[k] = null;
    else if (isObject(ov) && isObject(mv)) {
      const nested = deletions(ov, mv);
      if (Object.keys(nested).length > 0) out[k] = nested;
    }
  }
  return out;
}

/**
 * Whether `current` already holds everything `modified` says: objects may have extra fields (the server's
 * defaults, e.g. `protocol: TCP` in a Service port), lists must have the same length with each item contained.
 */
export function contains(current: unknown, modified: unknown): boolean {
  if (Array.isArray(modified)) {
    return Array.isArray(current) && current.length === modified.length && modified.every((m, i) => contains(current[i], m));
  }
  if (isObject(modified)) return isObject(current) && defined(modified).every(([k, v]) => contains(current[k], v));
  return sameValue(current, modified);
}

/**
 * Fields of `modified` that `current` does not hold (recursing into objects both have). A list is sent whole
 * when the live one does not contain it, or when the manifest's list changed since the last apply (so items
 * that lost a field are rewritten).
 */
function changes(current: Obj, modified: Obj, original: Obj | undefined): Obj {
  const out: Obj = {};
  for (const [k, mv] of defined(modified)) {
    const cv = current[k];
    const ov = original?.[k];
    if (isObject(cv) && isObject(mv)) {
      const nested = changes(cv, mv, isObject(ov) ? ov : undefined);
      if (Object.keys(nested).length > 0) out[k] = nested;
    } else if (!contains(cv, mv) || (Array.isArray(mv) && original !== undefined && !sameValue(ov, mv))) {
      out[k] = mv;
    }
  }
  return out;
}

function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] = isObject(av) && isObject(v) ? merge(av, v) : v;
  }
  return out;
}

/**
 * The merge patch that takes `current` to `modified`, deleting what `original` (the last applied manifest) had
 * and `modified` dropped. An empty object means there is nothing to change.
 */
export function threeWayMergePatch(original: Obj, modified: Obj, current: Obj): Obj {
  const del = deletions(original, modified);
  // A field deleted in the manifest that is already gone from the live object needs no null.
  const needed = pruneAbsent(del, current);
  return merge(needed, changes(current, modified, original));
}

function pruneAbsent(del: Obj, current: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(del)) {
    const cv = current[k];
    if (cv === undefined || cv === null) continue;
    if (isObject(v)) {
      if (!isObject(cv)) continue;
      const nested = pruneAbsent(v, cv);
      if (Object.keys(nested).length > 0) out[k] = nested;
    } else out[k] = v;
  }
  return out;
}
