// One pass from env to a frozen, documented config object (the shape of ztunnel's config.rs and linkerd's
// env.rs): every setting declares its variable, default and doc, and every bad variable is reported at once
// instead of one per restart.
import { ConfigError } from './config-error.ts';
import type { Env } from './env.ts';

/** How one config field is read: its variable, default, doc, and the env.ts reader to use. */
export interface Setting<T> {
  /** The environment variable, with Istio's exact name (`XDS_ADDRESS`). */
  readonly env: string;
  /** Used when the variable is unset; for durations this is in milliseconds. */
  readonly default: T;
  /** One line for operators; shown in `/config_dump`. */
  readonly doc: string;
  /** Reads the variable, e.g. `envInt` or `(e, n, d) => envInt(e, n, d, { min: 1 })`. */
  readonly parse: (env: Env, name: string, def: T) => T;
  /** Hide the value in descriptions (tokens, keys). */
  readonly secret?: boolean;
}

/** A spec maps each config field to its Setting. */
export type ConfigSpec<T> = { readonly [K in keyof T]: Setting<T[K]> };

/** One described setting, for `/config_dump`. */
export interface ConfigEntry {
  readonly name: string;
  readonly env: string;
  readonly value: unknown;
  readonly default: unknown;
  readonly doc: string;
  /** Whether the value came from the environment or is the default. */
  readonly source: 'env' | 'default';
}

/** The frozen config and its description. */
export interface BuiltConfig<T> {
  readonly config: Readonly<T>;
  readonly entries: readonly ConfigEntry[];
}

const REDACTED = '<redacted>';

/** Declares one setting; exists only so TypeScript infers T from the default and the reader. */
export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

function freezeValue<V>(value: V): V {
  // Arrays and plain objects (lists, addresses) are frozen too, so nobody mutates shared config.
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) Object.freeze(value);
  return value;
}

/**
 * Reads every setting of `spec` from `env`. Throws one ConfigError listing every invalid variable.
 */
export function buildConfig<T extends object>(spec: ConfigSpec<T>, env: Env): BuiltConfig<T> {
  const out: Partial<T> = {};
  const entries: ConfigEntry[] = [];
  const problems: ConfigError[] = [];
  for (const key of Object.keys(spec) as (keyof T & string)[]) {
    const s = spec[key];
    let value: T[typeof key];
    try {
      value = s.parse(env, s.env, s.default);
    } catch (err) {
      problems.push(err instanceof ConfigError ? err : new ConfigError(`${s.env}: ${String(err)}`, { cause: err }));
      continue;
    }
    out[key] = freezeValue(value);
    entries.push(
      Object.freeze({
        name: key,
        env: s.env,
        value: s.secret ? REDACTED : value,
        default: s.secret ? REDACTED : s.default,
        doc: s.doc,
        source: env[s.env] === undefined ? 'default' : 'env',
      }),
    );
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new ConfigError(`${problems.length} invalid settings: ${problems.map((p) => p.message).join('; ')}`, {
      cause: problems,
    });
  }
  return { config: Object.freeze(out as T), entries: Object.freeze(entries) };
}
