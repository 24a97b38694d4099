import protobuf from 'protobufjs';

/**
 * Returns a copy of `value` without the fields proto3 leaves off the wire: scalars at their zero value, empty
 * repeated fields and maps, null messages. protobufjs writes every field that is set, even to its default, so
 * without this a decoded-then-encoded message grows and differs from what Go or Rust peers produce.
 * Fields with presence (oneof members, proto3 `optional`) and present sub-messages are kept as they are.
 */
export function pruneDefaults(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const field = type.fields[name];
    if (field === undefined) {
      out[name] = v; // not a field (a oneof's virtual name, say): fromObject ignores it
      continue;
    }
    if (v === undefined || v === null) continue;
    const pruned = pruneField(field, v);
    if (pruned !== OMIT) out[name] = pruned;
  }
  return out;
}

const OMIT = Symbol('omit');

function pruneField(field: protobuf.Field, v: unknown): unknown {
  const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
  // Values of the wrong shape are passed on untouched, for fromObject to reject with a message naming the field.
  if (field.map) {
    if (typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return OMIT;
    return sub
      ? Object.fromEntries(entries.map(([k, e]) => [k, pruneDefaults(sub, e as Record<string, unknown>)]))
      : v;
  }
  if (field.repeated) {
    if (!Array.isArray(v)) return v;
    const list = v as unknown[];
    if (list.length === 0) return OMIT;
    return sub ? list.map((e) => pruneDefaults(sub, e as Record<string, unknown>)) : list;
  }
  if (sub) return typeof v === 'object' && !(v instanceof Uint8Array) ? pruneDefaults(sub, v as Record<string, unknown>) : v;
  if (field.partOf) return v; // presence is meaningful
  return isZero(field, v) ? OMIT : v;
}

function isZero(field: protobuf.Field, v: unknown): boolean {
  if (field.resolvedType instanceof protobuf.Enum) {
    return v === 0 || (typeof v === 'string' && field.resolvedType.values[v] === 0);
  }
  switch (typeof v) {
    case 'string':
      return v === '' || (field.long && v === '0');
    case 'number':
      return v === 0;
    case 'bigint':
      return v === 0n;
    case 'boolean':
      return v === false;
    case 'object':
      if (v instanceof Uint8Array) return v.length === 0;
      // protobufjs Long
      return typeof (v as { isZero?: () => boolean }).isZero === 'function' && (v as { isZero: () => boolean }).isZero();
    default:
      return false;
  }
}
