// Runs a node's CNI network configuration the way a container runtime does (CNI spec): the first config
// file in the net dir, each plugin exec'd from CNI_PATH with the config on stdin, ADD in order chaining
// prevResult, DEL in reverse order.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalError } from '../cluster/run.ts';

/** A network config list, after converting a single-plugin `.conf`. */
export interface ConfList {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: Record<string, unknown>[];
}

/** What a pod is to the CNI: its container id, netns path and Kubernetes identity. */
export interface CniPod {
  readonly containerId: string;
  readonly netnsPath: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ifName?: string;
  /** The netns plugins run in (the node's "host" netns), as a runtime on that node would run them. */
  readonly hostNetns: string;
}

/** The first config file (lexical order) in `netDir`, as kubelet/containerd pick it. */
export function loadConfList(netDir: string): ConfList {
  if (!existsSync(netDir)) throw new LocalError('ERR_LOCAL_CNI', `CNI net dir ${netDir} does not exist`);
  const file = readdirSync(netDir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort()[0];
  if (!file) throw new LocalError('ERR_LOCAL_CNI', `no CNI config file in ${netDir}`);
  const path = join(netDir, file);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new LocalError('ERR_LOCAL_CNI', `${path}: not JSON: ${(err as Error).message}`);
  }
  const cniVersion = String(raw['cniVersion'] ?? '0.3.1');
  const name = String(raw['name'] ?? '');
  if (Array.isArray(raw['plugins'])) return { cniVersion, name, plugins: raw['plugins'] as Record<string, unknown>[] };
  if (typeof raw['type'] === 'string') return { cniVersion, name, plugins: [raw] };
  throw new LocalError('ERR_LOCAL_CNI', `${path}: neither "plugins" nor "type"`);
}

function cniArgs(pod: CniPod): string {
  return `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId};K8S_POD_UID=${pod.uid}`;
}

function findPlugin(type: string, cniPath: readonly string[]): string {
  for (const dir of cniPath) {
    const p = join(dir, type);
    if (existsSync(p)) return p;
  }
  throw new LocalError('ERR_LOCAL_CNI', `CNI plugin "${type}" not found in ${cniPath.join(':')}`);
}

function execPlugin(bin: string, command: string, pod: CniPod, cniPath: readonly string[], stdin: string): Promise<string> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: pod.containerId,
    CNI_NETNS: pod.netnsPath,
    CNI_IFNAME: pod.ifName ?? 'eth0',
    CNI_ARGS: cniArgs(pod),
    CNI_PATH: cniPath.join(':'),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', pod.hostNetns, bin], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LocalError('ERR_LOCAL_CNI', `${bin} ${command}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      let msg = err.trim() || out.trim();
      try {
        const e = JSON.parse(out) as { code?: number; msg?: string; details?: string };
        msg = `code ${e.code}: ${e.msg}${e.details ? ` (${e.details})` : ''}`;
      } catch {
        // Not a CNI error object.
      }
      reject(new LocalError('ERR_LOCAL_CNI', `CNI ${command} by ${bin} failed (exit ${code}): ${msg}`));
    });
    child.stdin.end(stdin);
  });
}

/** ADD through every plugin; returns the final result (with `ips`). */
export async function cniAdd(conf: ConfList, pod: CniPod, cniPath: readonly string[]): Promise<Record<string, unknown>> {
  let prev: unknown;
  for (const plugin of conf.plugins) {
    const input = { ...plugin, cniVersion: conf.cniVersion, name: conf.name, ...(prev === undefined ? {} : { prevResult: prev }) };
    const out = await execPlugin(findPlugin(String(plugin['type']), cniPath), 'ADD', pod, cniPath, JSON.stringify(input));
    try {
      prev = JSON.parse(out);
    } catch {
      throw new LocalError('ERR_LOCAL_CNI', `CNI ADD by ${String(plugin['type'])} printed no JSON result: ${out.slice(0, 200)}`);
    }
  }
  return (prev ?? {}) as Record<string, unknown>;
}

/** DEL through every plugin in reverse order; keeps going on errors and reports them all. */
export async function cniDel(conf: ConfList, pod: CniPod, cniPath: readonly string[], prevResult?: unknown): Promise<void> {
  const errors: string[] = [];
  for (const plugin of [...conf.plugins].reverse()) {
    const input = { ...plugin, cniVersion: conf.cniVersion, name: conf.name, ...(prevResult === undefined ? {} : { prevResult }) };
    try {
      await execPlugin(findPlugin(String(plugin['type']), cniPath), 'DEL', pod, cniPath, JSON.stringify(input));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length) throw new LocalError('ERR_LOCAL_CNI', errors.join('; '));
}

/** IPv4/IPv6 addresses (without prefix length) of a CNI result. */
export function resultIps(result: Record<string, unknown>): string[] {
  const ips = (result['ips'] as { address?: string }[] | undefined) ?? [];
  return ips.map((i) => (i.address ?? '').split('/')[0] ?? '').filter(Boolean);
}
