import { invalidPolicy } from './authz-error.ts';

/**
 * Reads fields of parsed YAML/JSON with type checks. Every complaint names the policy (`where`) and the field
 * path, so `ambientctl` and istiod status can say exactly what to fix.
 */
export class ObjectReader {
  readonly where: string;
  readonly path: string;
  readonly value: Record<string, unknown>;

  constructor(where: string, path: string, value: unknown) {
    this.where = where;
    this.path = path;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      invalidPolicy(where, `${path || 'object'} must be a mapping, got ${describe(value)}`);
    }
    this.value = value as Record<string, unknown>;
  }

  /** Child path for messages. */
  field(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Refuses keys we do not know: silently ignoring one could widen an ALLOW policy. */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) {
        invalidPolicy(this.where, `unknown field ${this.field(key)} (known: ${allowed.join(', ')})`);
      }
    }
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  string(key: string): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') invalidPolicy(this.where, `${this.field(key)} must be a string, got ${describe(v)}`);
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') invalidPolicy(this.where, `${this.field(key)} must be a boolean, got ${describe(v)}`);
    return v;
  }

  /** A list of strings; integers are accepted and turned into strings only when `allowNumbers` (ports). */
  strings(key: string, allowNumbers = false): string[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) invalidPolicy(this.where, `${this.field(key)} must be a list, got ${describe(v)}`);
    return v.map((item: unknown, i) => {
      if (typeof item === 'string') return item;
      if (allowNumbers && typeof item === 'number' && Number.isInteger(item)) return String(item);
      return invalidPolicy(this.where, `${this.field(key)}[${i}] must be a string, got ${describe(item)}`);
    });
  }

  object(key: string): ObjectReader | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    return new ObjectReader(this.where, this.field(key), v);
  }

  objects(key: string): ObjectReader[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) invalidPolicy(this.where, `${this.field(key)} must be a list, got ${describe(v)}`);
    return v.map((item: unknown, i) => new ObjectReader(this.where, `${this.field(key)}[${i}]`, item));
  }

  /** A list whose items can be anything (contents checked elsewhere or not needed). */
  list(key: string): unknown[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) invalidPolicy(this.where, `${this.field(key)} must be a list, got ${describe(v)}`);
    return v;
  }
}

/** A short type description for messages: "a number (42)", "a list", "null". */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
  return `a ${typeof v} (${String(v)})`;
}
