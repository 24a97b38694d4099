import { badRequest, ApiError } from './errors.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * JSON merge patch (RFC 7386): objects merge key by key, `null` deletes, anything else replaces (lists
 * included). Returns a new value; the inputs are not changed.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** One JSON Patch (RFC 6902) operation. */
export interface JsonPatchOp {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: path "${path}" must start with "/"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, segs: string[], path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `json patch: path "${path}" does not exist`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new ApiError(422, 'Invalid', `json patch: path "${path}" does not exist`);
  return { parent: cur, key: segs[segs.length - 1] ?? '' };
}

function arrayIndex(arr: unknown[], key: string, path: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  const max = forAdd ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(key) || i > max) throw new ApiError(422, 'Invalid', `json patch: index "${key}" out of range in path "${path}"`);
  return i;
}

function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `json patch: path "${path}" does not exist`);
  }
  return cur;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, path, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new ApiError(422, 'Invalid', `json patch: path "${path}" does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const segs = pointer(path);
  if (segs.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, segs, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, path, true), 0, structuredClone(value));
  else parent[key] = structuredClone(value);
  return doc;
}

/** Applies a JSON Patch to a copy of `doc`. Errors name the operation and path that failed. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch: the body must be a JSON array of operations');
  let out = structuredClone(doc) as Json;
  for (const [i, raw] of ops.entries()) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw badRequest(`json patch: operation ${i} needs string "op" and "path"`);
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add':
        out = add(out, op.path, op.value) as Json;
        break;
      case 'remove':
        remove(out, op.path);
        break;
      case 'replace':
        get(out, op.path);
        if (op.path === '') out = structuredClone(op.value) as Json;
        else {
          remove(out, op.path);
          out = add(out, op.path, op.value) as Json;
        }
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`json patch: operation ${i} (${op.op}) needs "from"`);
        const v = op.op === 'move' ? remove(out, op.from) : structuredClone(get(out, op.from));
        out = add(out, op.path, v) as Json;
        break;
      }
      case 'test':
        if (JSON.stringify(get(out, op.path)) !== JSON.stringify(op.value)) {
          throw new ApiError(422, 'Invalid', `json patch: test operation ${i} failed at path "${op.path}"`);
        }
        break;
      default:
        throw badRequest(`json patch: operation ${i} has unknown op "${op.op}"`);
    }
  }
  return out;
}
