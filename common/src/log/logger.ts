// Logger factory: one pino instance per process, scoped children (`scope` field), and per-scope levels that
// can change at runtime (admin `/logging`). Scopes are cached by name so a level change reaches every holder.
import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { DEFAULT_SCOPE, formatLevelSpec, parseLevelSpec, parseLogLevel, toPinoLevel } from './log-level.ts';
import type { LevelSpec, LogLevel } from './log-level.ts';
import { textDestination } from './text-format.ts';

/** The logger every module uses: pino's, bound to one scope. */
export type Logger = PinoLogger;

/** Output encodings: `json` (one JSON object per line) or `text` (logfmt-like, ztunnel's default). */
export type LogFormat = 'json' | 'text';

/** Options for createLogger. */
export interface LoggerOptions {
  /** Default level for every scope; defaults to `info`. */
  readonly level?: LogLevel;
  /** Optional Istio-style overrides applied on top (`xds:debug,default:warn`), e.g. from `--log_output_level`. */
  readonly levels?: string;
  /** Defaults to `json`. */
  readonly format?: LogFormat;
  /** Where lines go; defaults to an asynchronous stdout destination. Tests pass a collector. */
  readonly destination?: DestinationStream;
}

/** Current levels: the default and every known scope's effective level. */
export interface LevelSnapshot {
  readonly default: LogLevel;
  readonly scopes: Readonly<Record<string, LogLevel>>;
}

/**
 * The root of a process's logging. `logger` is the `default` scope; `scope(name)` returns the (cached) child
 * for a module. Levels apply per scope: an explicit override, otherwise the default.
 */
export class LogRoot {
  readonly logger: Logger;
  readonly #base: PinoLogger;
  readonly #scopes = new Map<string, Logger>();
  readonly #overrides = new Map<string, LogLevel>();
  #default: LogLevel;

  constructor(base: PinoLogger, level: LogLevel) {
    this.#base = base;
    this.#default = level;
    this.logger = this.scope(DEFAULT_SCOPE);
  }

  /** The logger for scope `name` (created on first use, then shared). */
  scope(name: string): Logger {
    let child = this.#scopes.get(name);
    if (!child) {
      child = this.#base.child({ scope: name }, { level: toPinoLevel(this.#effective(name)) });
      this.#scopes.set(name, child);
    }
    return child;
  }

  /** Sets `scope`'s level, or the default level when scope is undefined or `default`. */
  setLevel(scope: string | undefined, level: LogLevel): void {
    const checked = parseLogLevel(level); // guards callers that pass unchecked strings
    if (scope === undefined || scope === DEFAULT_SCOPE) {
      this.#default = checked;
      this.#overrides.delete(DEFAULT_SCOPE);
    } else {
      this.#overrides.set(scope, checked);
    }
    this.#apply();
  }

  /** Drops `scope`'s override so it follows the default again. */
  clearLevel(scope: string): void {
    this.#overrides.delete(scope);
    this.#apply();
  }

  /** Applies a `scope:level,...` list (or a parsed one) all at once; a parse error changes nothing. */
  applyLevels(spec: string | LevelSpec): void {
    const parsed = typeof spec === 'string' ? parseLevelSpec(spec) : spec;
    if (parsed.default !== undefined) this.#default = parsed.default;
    for (const [name, level] of parsed.scopes) this.#overrides.set(name, level);
    this.#apply();
  }

  /** The default level and each known scope's effective level. */
  levels(): LevelSnapshot {
    const scopes: Record<string, LogLevel> = {};
    const names = new Set([...this.#scopes.keys(), ...this.#overrides.keys()]);
    names.delete(DEFAULT_SCOPE);
    for (const name of [...names].sort()) scopes[name] = this.#effective(name);
    return { default: this.#default, scopes };
  }

  /** The levels in `--log_output_level` syntax, e.g. `default:info,xds:debug`. */
  describeLevels(): string {
    return formatLevelSpec(this.#default, new Map(Object.entries(this.levels().scopes)));
  }

  /** Flushes buffered lines (call before exit). */
  flush(): Promise<void> {
    return new Promise((resolve) => this.#base.flush(() => resolve()));
  }

  #effective(name: string): LogLevel {
    return this.#overrides.get(name) ?? this.#default;
  }

  #apply(): void {
    for (const [name, child] of this.#scopes) child.level = toPinoLevel(this.#effective(name));
  }
}

/** Builds the process's LogRoot. Throws LogError when `levels` does not parse. */
export function createLogger(options: LoggerOptions = {}): LogRoot {
  const format = options.format ?? 'json';
  const dest = options.destination ?? pino.destination({ dest: 1, sync: false });
  const base = pino(
    {
      // The base stays at the most verbose level; each scope child filters for itself.
      level: 'trace',
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    format === 'text' ? textDestination(dest) : dest,
  );
  const root = new LogRoot(base, parseLogLevel(options.level ?? 'info'));
  if (options.levels !== undefined && options.levels.trim() !== '') root.applyLevels(options.levels);
  return root;
}
