// Where a local cluster keeps things: data-dir paths, netns names and addresses. Pure: the one place these
// names are computed, so `up`, the daemon and `down` (even after a crash) agree.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/ambientctl/local';
export const CONTROL_PLANE_IP = '10.200.0.1';
export const UNDERLAY_PREFIX_LEN = 24;
export const SERVICE_CIDR = '10.96.0.0/16';
export const CLUSTER_API_PORT = 6443;
export const CLUSTER_DOMAIN = 'cluster.local';

/** Paths and names of one cluster, derived from its data dir. */
export interface Layout {
  readonly dataDir: string;
  /** Netns name prefix: `al` + 6 hex of the data dir's hash, so clusters with different dirs never collide. */
  readonly prefix: string;
  readonly cpNetns: string;
  readonly statePath: string;
  readonly controlSocket: string;
  readonly logsDir: string;
  readonly podLogsDir: string;
  readonly kubeconfig: string;
  readonly clusterKubeconfig: string;
  readonly apiserverDir: string;
  readonly dnsRecordsPath: string;
}

export function layoutFor(dataDir: string): Layout {
  const dir = resolve(dataDir);
  const prefix = `al${createHash('sha256').update(dir).digest('hex').slice(0, 6)}`;
  return {
    dataDir: dir,
    prefix,
    cpNetns: `${prefix}-cp`,
    statePath: join(dir, 'state.json'),
    controlSocket: join(dir, 'run', 'daemon.sock'),
    logsDir: join(dir, 'logs'),
    podLogsDir: join(dir, 'logs', 'pods'),
    kubeconfig: join(dir, 'kubeconfig'),
    clusterKubeconfig: join(dir, 'kubeconfig-cluster'),
    apiserverDir: join(dir, 'apiserver'),
    dnsRecordsPath: join(dir, 'dns', 'records.json'),
  };
}

/** One node's names, addresses and files. Nodes are numbered from 1. */
export interface NodeLayout {
  readonly index: number;
  readonly name: string;
  readonly netns: string;
  /** Underlay address on the control plane's bridge. */
  readonly ip: string;
  readonly podCidr: string;
  readonly podGateway: string;
  /** Veth end in the control-plane netns (attached to br0). */
  readonly cpVeth: string;
  readonly dir: string;
  readonly cniNetDir: string;
  readonly cniBinDir: string;
  readonly cniIpamDir: string;
  readonly cniRunDir: string;
  readonly ztunnelSocket: string;
  readonly ztunnelDir: string;
}

export function nodeLayout(l: Layout, index: number): NodeLayout {
  const dir = join(l.dataDir, 'nodes', `node-${index}`);
  return {
    index,
    name: `node-${index}`,
    netns: `${l.prefix}-node-${index}`,
    ip: `10.200.0.${10 + index}`,
    podCidr: `10.244.${index}.0/24`,
    podGateway: `10.244.${index}.1`,
    cpVeth: `vn${index}`,
    dir,
    cniNetDir: join(dir, 'cni', 'net.d'),
    cniBinDir: join(dir, 'cni', 'bin'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    cniRunDir: join(dir, 'run', 'istio-cni'),
    ztunnelSocket: join(dir, 'run', 'ztunnel', 'ztunnel.sock'),
    ztunnelDir: join(dir, 'ztunnel'),
  };
}

/** `<prefix>-pod-<first 8 hex of the uid>`. */
export function podNetnsName(l: Layout, uid: string): string {
  return `${l.prefix}-pod-${uid.replace(/-/g, '').slice(0, 8)}`;
}

/** Highest node count `up` accepts (pod CIDRs are 10.244.<i>.0/24, underlay 10.200.0.<10+i>). */
export const MAX_NODES = 200;
