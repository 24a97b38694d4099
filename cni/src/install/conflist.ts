// Adding our plugin object to a node's CNI config and removing it again (pure; reference §3.4).

export const PLUGIN_NAME = 'istio-cni';

/** Fields of our plugin object (contracts: the cni plugin config). */
export interface PluginObjectOptions {
  readonly runDir: string;
  readonly excludeNamespaces: readonly string[];
  readonly logLevel: string;
}

export type Json = Record<string, unknown>;

/** Our entry in the conflist's `plugins`. */
export function pluginObject(o: PluginObjectOptions): Json {
  return {
    name: PLUGIN_NAME,
    type: PLUGIN_NAME,
    cniVersion: '0.3.1',
    cni_agent_run_dir: o.runDir,
    ambient_enabled: true,
    exclude_namespaces: [...o.excludeNamespaces],
    plugin_log_level: o.logLevel,
  };
}

function isOurs(p: unknown): boolean {
  return p !== null && typeof p === 'object' && (p as Json)['type'] === PLUGIN_NAME;
}

/** A `.conf` (single plugin) as a `.conflist`; a conflist is returned as is. Throws naming what is wrong. */
export function toConflist(conf: Json, file: string): Json {
  if ('plugins' in conf) {
    if (!Array.isArray(conf['plugins'])) throw new Error(`${file}: field "plugins" must be an array`);
    return conf;
  }
  if (typeof conf['type'] !== 'string') throw new Error(`${file}: neither a conflist ("plugins") nor a plugin config ("type")`);
  const { cniVersion, name, ...plugin } = conf;
  return { cniVersion: cniVersion ?? '0.3.1', name: name ?? 'k8s-pod-network', plugins: [{ cniVersion, ...plugin }] };
}

/** The conflist with exactly one entry of ours, last in the chain. */
export function withPlugin(conflist: Json, plugin: Json): Json {
  const plugins = (conflist['plugins'] as unknown[]).filter((p) => !isOurs(p));
  return { ...conflist, plugins: [...plugins, plugin] };
}

/** The conflist without our entries. */
export function withoutPlugin(conflist: Json): Json {
  return { ...conflist, plugins: (conflist['plugins'] as unknown[]).filter((p) => !isOurs(p)) };
}

/** True when our entry is present and equal to `plugin` and last. */
export function hasPlugin(conflist: Json, plugin: Json): boolean {
  const plugins = Array.isArray(conflist['plugins']) ? (conflist['plugins'] as unknown[]) : [];
  return plugins.filter(isOurs).length === 1 && JSON.stringify(plugins.at(-1)) === JSON.stringify(plugin);
}
