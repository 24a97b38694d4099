// What importing one module pulls into a fresh Node process: for tests that keep heavy dependencies out of an
// entry point (a per-node proxy pays for every module it loads).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What the child process saw. */
export interface ImportReport {
  /** The entry's export names. */
  readonly exports: string[];
  /** Every module URL the loader loaded (our files and npm packages). */
  readonly loadedUrls: string[];
  /** Node's internal modules loaded (process.moduleLoadList), e.g. "NativeModule internal/deps/undici/undici". */
  readonly internalModules: string[];
  /** Each of `evaluate`'s expressions, evaluated after the import. */
  readonly values: Record<string, unknown>;
}

/**
 * Imports `specifier` in a fresh Node process whose working directory is `cwd` (so package names resolve as
 * from there) and reports what it loaded; `evaluate` names JavaScript expressions to read afterwards.
 */
export async function probeImport(specifier: string, cwd: string, evaluate: Record<string, string> = {}): Promise<ImportReport> {
  const values = Object.entries(evaluate)
    .map(([name, expr]) => `${JSON.stringify(name)}: (${expr})`)
    .join(', ');
  const script = `
    import { registerHooks } from 'node:module';
    const loadedUrls = [];
    registerHooks({ load(url, context, nextLoad) { loadedUrls.push(url); return nextLoad(url, context); } });
    const entry = await import(${JSON.stringify(specifier)});
    const internalModules = process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
    process.stdout.write(JSON.stringify({ exports: Object.keys(entry), loadedUrls, internalModules, values: { ${values} } }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd, timeout: 60_000 });
  return JSON.parse(stdout) as ImportReport;
}
