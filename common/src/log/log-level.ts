// Istio's level vocabulary and the `--log_output_level` / `/logging?level=` syntax:
// `xds:debug,default:info`. A bare level (`debug`) means the default scope, as in Istio.
import { LogError } from './log-error.ts';

/** Levels from most to least verbose. `none` turns a scope off (ztunnel also accepts `off`). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'none'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The scope name that stands for "every scope without its own level". */
export const DEFAULT_SCOPE = 'default';

/** A parsed level list: an optional new default plus per-scope levels, in the order given. */
export interface LevelSpec {
  readonly default?: LogLevel;
  readonly scopes: ReadonlyMap<string, LogLevel>;
}

const SCOPE_RE = /^[A-Za-z0-9_.-]+$/;

/** Parses one level word (case-insensitive); throws LogError naming the bad word. */
export function parseLogLevel(text: string): LogLevel {
  const word = text.trim().toLowerCase();
  if (word === 'off') return 'none';
  if ((LOG_LEVELS as readonly string[]).includes(word)) return word as LogLevel;
  throw new LogError(`invalid log level ${JSON.stringify(text)}: expected one of ${LOG_LEVELS.join(', ')}`);
}

/** Parses `scope:level,scope:level`; `default:<level>` or a bare `<level>` sets the default. */
export function parseLevelSpec(text: string): LevelSpec {
  let def: LogLevel | undefined;
  const scopes = new Map<string, LogLevel>();
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new LogError(`empty log level list ${JSON.stringify(text)}`);
  for (const item of items) {
    const colon = item.lastIndexOf(':');
    if (colon < 0) {
      def = parseLogLevel(item);
      continue;
    }
    const scope = item.slice(0, colon).trim();
    if (!SCOPE_RE.test(scope)) throw new LogError(`invalid log scope ${JSON.stringify(scope)} in ${JSON.stringify(item)}`);
    const level = parseLogLevel(item.slice(colon + 1));
    if (scope === DEFAULT_SCOPE) def = level;
    else scopes.set(scope, level);
  }
  return def === undefined ? { scopes } : { default: def, scopes };
}

/** Formats levels back into the same syntax, default first, scopes sorted. */
export function formatLevelSpec(def: LogLevel, scopes: ReadonlyMap<string, LogLevel>): string {
  const parts = [`${DEFAULT_SCOPE}:${def}`];
  for (const name of [...scopes.keys()].sort()) parts.push(`${name}:${scopes.get(name)}`);
  return parts.join(',');
}

/** Maps our level words onto pino's (`none` is pino's `silent`). */
export function toPinoLevel(level: LogLevel): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent' {
  return level === 'none' ? 'silent' : level;
}
