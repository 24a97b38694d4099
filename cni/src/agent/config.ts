// The node agent's settings, read once from the environment (contracts: cni node agent).
import { buildConfig, ConfigError, envAddress, envBool, envList, envString, setting } from '@mesh/common/config';
import type { Address, BuiltConfig, Env } from '@mesh/common/config';
import { parseLogLevel } from '@mesh/common/log';
import type { LogFormat, LogLevel } from '@mesh/common/log';

export interface AgentConfig {
  /** Path of a kubeconfig; '' = client-node's default (in-cluster when KUBECONFIG is unset). */
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly podNamespace: string;
  readonly ztunnelUds: string;
  readonly runDir: string;
  readonly cniNetDir: string;
  readonly cniBinDir: string;
  readonly cniConfName: string;
  readonly installCni: boolean;
  readonly pluginEntry: string;
  readonly excludeNamespaces: readonly string[];
  readonly readyAddr: Address;
  readonly netnsDir: string;
  /** Only netns whose names start with this are pod candidates ('' = all). */
  readonly netnsPrefix: string;
  readonly dnsCapture: boolean;
  readonly hostProbeSnat: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

function required(env: Env, name: string, def: string): string {
  const v = envString(env, name, def).trim();
  if (v === '') throw new ConfigError(`${name} is required (the name of the node this agent runs on)`);
  return v;
}

export const AGENT_CONFIG_SPEC = {
  kubeconfig: setting({ env: 'KUBECONFIG', default: '', doc: 'kubeconfig path; in-cluster config when unset', parse: envString }),
  nodeName: setting({ env: 'NODE_NAME', default: '', doc: 'this node (pods are watched by spec.nodeName)', parse: required }),
  podNamespace: setting({ env: 'POD_NAMESPACE', default: 'istio-system', doc: 'the mesh system namespace', parse: envString }),
  ztunnelUds: setting({ env: 'ZTUNNEL_UDS', default: '/var/run/ztunnel/ztunnel.sock', doc: 'ZDS server socket (SOCK_SEQPACKET)', parse: envString }),
  runDir: setting({ env: 'CNI_AGENT_RUN_DIR', default: '/var/run/istio-cni', doc: 'holds pluginevent.sock', parse: envString }),
  cniNetDir: setting({ env: 'CNI_NET_DIR', default: '/etc/cni/net.d', doc: 'node CNI config dir', parse: envString }),
  cniBinDir: setting({ env: 'CNI_BIN_DIR', default: '/opt/cni/bin', doc: 'node CNI plugin dir', parse: envString }),
  cniConfName: setting({ env: 'CNI_CONF_NAME', default: '', doc: 'CNI config file to chain into; first file when empty', parse: envString }),
  installCni: setting({ env: 'INSTALL_CNI', default: true, doc: 'install the plugin and its config entry on start', parse: envBool }),
  pluginEntry: setting({ env: 'CNI_PLUGIN_ENTRY', default: '', doc: 'the plugin program the installed shim runs (e.g. cni/dist/istio-cni.mjs); empty = the sources', parse: envString }),
  excludeNamespaces: setting({ env: 'EXCLUDE_NAMESPACES', default: ['kube-system'] as readonly string[], doc: 'namespaces never enrolled', parse: envList }),
  readyAddr: setting({ env: 'AGENT_READY_ADDR', default: { host: '0.0.0.0', port: 8000 } as Address, doc: '/readyz listener', parse: envAddress }),
  netnsDir: setting({ env: 'NETNS_DIR', default: '/var/run/netns', doc: 'where to look for the netns of running pods', parse: envString }),
  netnsPrefix: setting({
    env: 'NETNS_PREFIX',
    default: '',
    doc: 'only netns in NETNS_DIR whose names start with this can be a pod\'s (several clusters sharing one directory, as local clusters do); empty = all',
    parse: envString,
  }),
  dnsCapture: setting({ env: 'AMBIENT_DNS_CAPTURE', default: false, doc: 'redirect pod DNS to ztunnel port 15053', parse: envBool }),
  hostProbeSnat: setting({
    env: 'HOST_PROBE_SNAT',
    default: true,
    doc: "SNAT the node's probes to enrolled pods (ipset + nat rule in the agent's netns, which must be the node's)",
    parse: envBool,
  }),
  logLevel: setting({ env: 'LOG_LEVEL', default: 'info' as LogLevel, doc: 'log level', parse: (e, n, d) => parseLogLevel(envString(e, n, d)) }),
  logFormat: setting({
    env: 'LOG_FORMAT',
    default: 'text' as LogFormat,
    doc: 'text or json',
    parse: (e, n, d) => {
      const v = envString(e, n, d);
      if (v !== 'text' && v !== 'json') throw new ConfigError(`${n}=${JSON.stringify(v)} is invalid: expected text or json`);
      return v;
    },
  }),
};

/** Reads the config; throws one ConfigError naming every bad variable. */
export function loadAgentConfig(env: Env): BuiltConfig<AgentConfig> {
  return buildConfig<AgentConfig>(AGENT_CONFIG_SPEC, env);
}
