// `status`, `exec`, `logs`, `restart` for a running local cluster.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layoutFor, nodeLayout, podNetnsName } from '../cluster/layout.ts';
import { KubeClient, corePath } from '../cluster/kube-client.ts';
import { LocalError } from '../cluster/run.ts';
import { readState } from '../cluster/state.ts';
import { callDaemon } from '../daemon/control.ts';
import type { ClusterStatus } from '../daemon/daemon.ts';
import { logFileName } from '../daemon/supervisor.ts';

/** An error carrying the exit code to end the CLI with (main() passes `exitCode` through silently). */
function exitWith(code: number): Error {
  return Object.assign(new Error(`exit ${code}`), { exitCode: code });
}

export async function showStatus(dataDir: string, output: string): Promise<void> {
  const l = layoutFor(dataDir);
  let st: ClusterStatus;
  try {
    st = (await callDaemon(l.controlSocket, 'GET', '/status')) as ClusterStatus;
  } catch (err) {
    const state = readState(l.statePath);
    const msg = state ? `local cluster in ${l.dataDir} is not running (state recorded; \`ambientctl local down\` cleans up)` : `no local cluster in ${l.dataDir}`;
    if (output === 'json') console.log(JSON.stringify({ running: false, dataDir: l.dataDir, message: msg }));
    else console.log(msg);
    void err;
    throw exitWith(3);
  }
  if (output === 'json') {
    console.log(JSON.stringify({ running: true, ...st }, null, 2));
    return;
  }
  console.log(`local cluster ${st.prefix} in ${st.dataDir}: ${st.ready ? 'ready' : 'NOT ready'}`);
  console.log(`kubeconfig: ${st.kubeconfig}  (API ${st.apiserver.url}; in-cluster ${st.apiserver.clusterUrl})`);
  for (const n of st.nodes) console.log(`node ${n.name}: netns ${n.netns}, ip ${n.ip}, pods ${n.podCidr}`);
  const rows = st.components.map((c) => [c.name, c.healthy ? 'healthy' : c.running ? 'unhealthy' : 'down', c.pid === undefined ? '-' : String(c.pid), String(c.restarts), Object.entries(c.addresses).map(([k, v]) => `${k}=${v}`).join(' ')]);
  const head = ['COMPONENT', 'HEALTH', 'PID', 'RESTARTS', 'ADDRESSES'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [head, ...rows]) console.log(r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  '));
}

function splitPod(target: string): [string, string] {
  const parts = target.split('/');
  if (parts.length === 1 && parts[0]) return ['default', parts[0]];
  if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
  throw new LocalError('ERR_LOCAL_BAD_INPUT', `"${target}" is not <namespace>/<pod>`);
}

export async function execInPod(dataDir: string, target: string, command: string[]): Promise<void> {
  const l = layoutFor(dataDir);
  const [ns, name] = splitPod(target);
  if (!existsSync(l.kubeconfig)) throw new LocalError('ERR_LOCAL_NOT_RUNNING', `no local cluster in ${l.dataDir}`);
  const kube = KubeClient.fromKubeconfig(l.kubeconfig);
  let pod;
  try {
    pod = await kube.get(corePath('pods', ns, name));
  } finally {
    kube.close();
  }
  if (!pod) throw new LocalError('ERR_LOCAL_BAD_INPUT', `pod ${ns}/${name} not found`);
  const spec = pod.spec as { hostNetwork?: boolean; nodeName?: string };
  let netns: string;
  if (spec.hostNetwork) {
    const index = Number(/^node-(\d+)$/.exec(spec.nodeName ?? '')?.[1]);
    if (!index) throw new LocalError('ERR_LOCAL_BAD_INPUT', `pod ${ns}/${name} is not on a node of this cluster`);
    netns = nodeLayout(l, index).netns;
  } else {
    netns = podNetnsName(l, pod.metadata.uid ?? '');
  }
  if (!existsSync(`/run/netns/${netns}`)) throw new LocalError('ERR_LOCAL_BAD_INPUT', `pod ${ns}/${name} is not running yet (no netns ${netns})`);
  const r = spawnSync('ip', ['netns', 'exec', netns, ...command], { stdio: 'inherit' });
  if (r.error) throw new LocalError('ERR_LOCAL_COMMAND', `exec in ${ns}/${name}: ${r.error.message}`);
  const code = r.status ?? 128 + 9;
  if (code !== 0) throw exitWith(code);
}

export function showLogs(dataDir: string, target: string, container?: string): void {
  const l = layoutFor(dataDir);
  const componentLog = join(l.logsDir, logFileName(target));
  if (!target.includes('/') || /^(ztunnel|cni)\//.test(target)) {
    if (!existsSync(componentLog)) throw new LocalError('ERR_LOCAL_BAD_INPUT', `no log for component "${target}" (${componentLog})`);
    process.stdout.write(readFileSync(componentLog));
    return;
  }
  const [ns, name] = splitPod(target);
  const prefix = `${ns}_${name}_`;
  const files = existsSync(l.podLogsDir) ? readdirSync(l.podLogsDir).filter((f) => f.startsWith(prefix) && (!container || f === `${prefix}${container}.log`)) : [];
  if (files.length === 0) throw new LocalError('ERR_LOCAL_BAD_INPUT', `no logs for pod ${ns}/${name}${container ? ` container ${container}` : ''}`);
  for (const f of files.sort()) {
    if (files.length > 1) console.log(`==> ${f.slice(prefix.length, -4)} <==`);
    process.stdout.write(readFileSync(join(l.podLogsDir, f)));
  }
}

const DONE = { restart: 'restarted', stop: 'stopped', start: 'started' } as const;

/** `restart`, `stop` or `start` of one supervised component, through the daemon. */
export async function controlComponent(dataDir: string, action: keyof typeof DONE, component: string): Promise<void> {
  const l = layoutFor(dataDir);
  await callDaemon(l.controlSocket, 'POST', `/${action}?component=${encodeURIComponent(component)}`, 60_000);
  console.log(`${DONE[action]} ${component}`);
}
