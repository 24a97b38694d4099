import { ambientctl, run, type LocalCluster } from './local-cluster.ts';

/** The part of `ambientctl local status -o json` the tests read. */
export interface StatusJson {
  readonly nodes: { name: string; netns: string; ip: string; podCidr: string }[];
  readonly components: { name: string; netns: string; running: boolean; healthy: boolean; restarts: number; addresses: Record<string, string> }[];
}

export async function clusterStatus(cluster: LocalCluster): Promise<StatusJson> {
  const r = await ambientctl(['local', 'status', '--data-dir', cluster.dataDir, '-o', 'json'], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`ambientctl local status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** The network namespace of a node of the cluster. */
export async function nodeNetns(cluster: LocalCluster, node: string): Promise<string> {
  const netns = (await clusterStatus(cluster)).nodes.find((n) => n.name === node)?.netns;
  if (!netns) throw new Error(`no node ${node} in the cluster status`);
  return netns;
}

/** The Prometheus text of the ztunnel on `node` (its metrics port inside the node's netns). */
export async function ztunnelMetrics(cluster: LocalCluster, node: string): Promise<string> {
  const r = await run('ip', ['netns', 'exec', await nodeNetns(cluster, node), 'curl', '-sS', '--max-time', '5', 'http://127.0.0.1:15020/metrics'], { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`metrics of ztunnel on ${node}: ${r.stderr}`);
  return r.stdout;
}

/** Sums the samples of a metric whose labels include all of `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const has = Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`));
    if (has) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
