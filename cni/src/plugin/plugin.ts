// The CNI commands (ADD, DEL, CHECK, VERSION) as a function of env and stdin, so tests can drive it in-process
// and main.ts only does I/O.
import type { CmdAddEvent } from '../event/cmdadd.ts';
import { CniCode, CniError } from './cni-error.ts';
import { parseK8sArgs, parseNetConf, SUPPORTED_VERSIONS } from './netconf.ts';
import { convertResult, resultIps } from './result.ts';

export interface PluginOutput {
  readonly stdout: string;
  readonly exitCode: number;
}

export interface PluginDeps {
  readonly postCmdAdd: (runDir: string, event: CmdAddEvent) => Promise<void>;
}

function versionOf(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as Record<string, unknown>)['cniVersion'];
    return typeof v === 'string' && v !== '' ? v : '1.0.0';
  } catch {
    return '1.0.0';
  }
}

/** Runs one CNI command. Never throws: errors become a CNI error object and exit code 1. */
export async function runPlugin(env: Readonly<Record<string, string | undefined>>, stdin: string, deps: PluginDeps): Promise<PluginOutput> {
  try {
    return await dispatch(env, stdin, deps);
  } catch (err) {
    const cniErr = err instanceof CniError ? err : new CniError(CniCode.IoFailure, (err as Error).message ?? String(err));
    return { stdout: `${JSON.stringify(cniErr.toCni(versionOf(stdin)))}\n`, exitCode: 1 };
  }
}

async function dispatch(env: Readonly<Record<string, string | undefined>>, stdin: string, deps: PluginDeps): Promise<PluginOutput> {
  const command = env['CNI_COMMAND'];
  switch (command) {
    case 'VERSION':
      return ok({ cniVersion: versionOf(stdin), supportedVersions: [...SUPPORTED_VERSIONS] });
    case 'DEL':
    case 'CHECK':
      parseNetConf(stdin);
      return { stdout: '', exitCode: 0 };
    case 'ADD':
      return add(env, stdin, deps);
    default:
      throw new CniError(CniCode.InvalidEnv, `CNI_COMMAND ${JSON.stringify(command ?? '')} is not ADD, DEL, CHECK or VERSION`);
  }
}

async function add(env: Readonly<Record<string, string | undefined>>, stdin: string, deps: PluginDeps): Promise<PluginOutput> {
  const conf = parseNetConf(stdin);
  for (const v of ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'] as const) {
    if (!env[v]) throw new CniError(CniCode.InvalidEnv, `environment variable ${v} is required for ADD`);
  }
  if (conf.prevResult === undefined) {
    throw new CniError(CniCode.InvalidConfig, 'invalid network config: field "prevResult" is missing; istio-cni must be chained after the primary plugin');
  }
  const k8s = parseK8sArgs(env['CNI_ARGS']);
  if (conf.ambientEnabled && k8s && !conf.excludeNamespaces.includes(k8s.podNamespace)) {
    const event: CmdAddEvent = {
      Netns: env['CNI_NETNS'] ?? '',
      PodName: k8s.podName,
      PodNamespace: k8s.podNamespace,
      ...(k8s.podUid ? { PodUID: k8s.podUid } : {}),
      IPs: resultIps(conf.prevResult).map((ip) => ({
        ...(ip.interface !== undefined ? { Interface: ip.interface } : {}),
        Address: ip.address,
        ...(ip.gateway !== undefined ? { Gateway: ip.gateway } : {}),
      })),
    };
    await deps.postCmdAdd(conf.agentRunDir, event);
  }
  return ok(convertResult(conf.prevResult, conf.cniVersion));
}

function ok(obj: unknown): PluginOutput {
  return { stdout: `${JSON.stringify(obj)}\n`, exitCode: 0 };
}
