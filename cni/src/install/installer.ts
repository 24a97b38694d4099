// Installs the plugin on a node: the shim in CNI_BIN_DIR and our entry in the primary CNI config in
// CNI_NET_DIR (idempotent; `.conf` converted to `.conflist`), removes it again, and repairs the entry when
// another agent rewrites the file.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { MeshError } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { hasPlugin, PLUGIN_NAME, pluginObject, toConflist, withoutPlugin, withPlugin } from './conflist.ts';
import type { Json, PluginObjectOptions } from './conflist.ts';
import { shimScript } from './shim.ts';

export type InstallErrorCode = 'ERR_CNI_INSTALL_NO_CONFIG' | 'ERR_CNI_INSTALL_BAD_CONFIG';
export class InstallError extends MeshError<InstallErrorCode> {}

export interface InstallOptions extends PluginObjectOptions {
  readonly netDir: string;
  readonly binDir: string;
  /** A specific file in netDir instead of the first one. */
  readonly confName?: string;
  /** Defaults to this process's Node binary. */
  readonly nodePath?: string;
  /** The plugin program the shim runs; defaults to the sources (PLUGIN_MAIN). The bundle `npm run bundle`
   * makes (cni/dist/istio-cni.mjs) starts in about a third of the time: every pod's ADD and DEL wait for it. */
  readonly pluginEntry?: string;
}

/** The plugin's sources, found through the package's name so the answer is the same when the agent runs from
 * its sources and from its bundle (cni/dist). */
export const PLUGIN_MAIN = join(dirname(createRequire(import.meta.url).resolve('@mesh/cni/package.json')), 'src', 'plugin', 'main.ts');
const CONF_EXTS = new Set(['.conf', '.conflist', '.json']);

/** The primary config: CNI_CONF_NAME (or its `.conflist` twin after conversion), else the first by name. */
export async function selectConfFile(netDir: string, confName?: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(netDir)).filter((n) => !n.startsWith('.') && CONF_EXTS.has(extname(n))).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (confName) {
    if (names.includes(confName)) return join(netDir, confName);
    const twin = `${basename(confName, extname(confName))}.conflist`;
    return names.includes(twin) ? join(netDir, twin) : undefined;
  }
  return names[0] === undefined ? undefined : join(netDir, names[0]);
}

async function readJson(file: string): Promise<Json> {
  const text = await readFile(file, 'utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InstallError('ERR_CNI_INSTALL_BAD_CONFIG', `${file}: not JSON: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InstallError('ERR_CNI_INSTALL_BAD_CONFIG', `${file}: not a JSON object`);
  return v as Json;
}

async function writeAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  const tmp = join(file, '..', `.${basename(file)}.tmp-${process.pid}`);
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/** Writes the shim into binDir. */
export async function installShim(o: InstallOptions): Promise<string> {
  await mkdir(o.binDir, { recursive: true });
  const path = join(o.binDir, PLUGIN_NAME);
  await writeAtomic(path, shimScript(o.nodePath ?? process.execPath, o.pluginEntry ?? PLUGIN_MAIN), 0o755);
  return path;
}

/**
 * Adds our entry to the primary config. Returns the conflist path and whether a write happened (none when
 * already correct, so the watcher does not loop). Throws InstallError when there is no config yet.
 */
export async function installConf(o: InstallOptions): Promise<{ path: string; changed: boolean }> {
  const file = await selectConfFile(o.netDir, o.confName);
  if (file === undefined) throw new InstallError('ERR_CNI_INSTALL_NO_CONFIG', `no CNI config in ${o.netDir} to chain into${o.confName ? ` (CNI_CONF_NAME=${o.confName})` : ''}`);
  let conflist: Json;
  try {
    conflist = toConflist(await readJson(file), file);
  } catch (err) {
    if (err instanceof InstallError) throw err;
    throw new InstallError('ERR_CNI_INSTALL_BAD_CONFIG', (err as Error).message);
  }
  const plugin = pluginObject(o);
  const isConflist = extname(file) === '.conflist';
  if (isConflist && hasPlugin(conflist, plugin)) return { path: file, changed: false };
  const target = isConflist ? file : join(o.netDir, `${basename(file, extname(file))}.conflist`);
  await writeAtomic(target, `${JSON.stringify(withPlugin(conflist, plugin), null, 2)}\n`);
  if (target !== file) await rm(file, { force: true });
  return { path: target, changed: true };
}

/** Shim and config. */
export async function install(o: InstallOptions): Promise<string> {
  await installShim(o);
  return (await installConf(o)).path;
}

/** Removes our entry from the config and the shim. Missing files are fine. */
export async function uninstall(o: Pick<InstallOptions, 'netDir' | 'binDir' | 'confName'>): Promise<void> {
  const file = await selectConfFile(o.netDir, o.confName);
  if (file !== undefined) {
    const conf = await readJson(file);
    if (Array.isArray(conf['plugins'])) {
      const without = withoutPlugin(conf);
      if ((without['plugins'] as unknown[]).length !== (conf['plugins'] as unknown[]).length) {
        await writeAtomic(file, `${JSON.stringify(without, null, 2)}\n`);
      }
    }
  }
  await rm(join(o.binDir, PLUGIN_NAME), { force: true });
}

/** Re-applies installConf whenever netDir changes (debounced). close() stops watching. */
export function watchConf(o: InstallOptions, log: Logger, debounceMs = 100): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const repair = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const r = await installConf(o);
      if (r.changed) log.info({ path: r.path }, 'repaired istio-cni entry in CNI config');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot install istio-cni into CNI config yet');
    } finally {
      running = false;
      if (again) {
        again = false;
        void repair();
      }
    }
  };
  let watcher: FSWatcher | undefined = watch(o.netDir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void repair(), debounceMs);
  });
  watcher.on('error', (err) => log.warn({ err: err.message }, 'CNI config dir watch failed'));
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
