// The mesh's processes in the local cluster, per the agreed contracts: istiod in the control-plane netns,
// and per node one ztunnel and one cni node agent in the node's netns. A component whose main.ts does not
// exist (yet) is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Layout, NodeLayout } from '../cluster/layout.ts';
import { CONTROL_PLANE_IP, podNetnsName } from '../cluster/layout.ts';
import type { KubeClient } from '../cluster/kube-client.ts';
import { corePath } from '../cluster/kube-client.ts';
import type { ComponentSpec } from '../daemon/supervisor.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SYSTEM_NAMESPACE = 'istio-system';
const TOKEN_SECONDS = 30 * 24 * 3600;

export function mainOf(pkg: string): string {
  return pkg === 'cni' ? join(REPO_ROOT, 'cni', 'src', 'agent', 'main.ts') : join(REPO_ROOT, pkg, 'src', 'main.ts');
}

const bundles = new Map<string, string>();

/**
 * A program as it ships: the bundle scripts/bundle.mjs makes (one JavaScript file, no TypeScript stripping at
 * run time), built once per daemon from the current sources so it is never stale. Throws when bundling fails,
 * so a broken bundle shows up here rather than as the sources quietly standing in for it.
 */
export function bundledEntry(program: 'ztunnel' | 'istio-cni' | 'cni-agent'): string {
  const known = bundles.get(program);
  if (known !== undefined) return known;
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.mjs'), program], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bundling ${program} failed: ${(built.stderr || built.stdout || String(built.error)).trim()}`);
  const out = join(REPO_ROOT, program === 'ztunnel' ? 'ztunnel' : 'cni', 'dist', `${program}.mjs`);
  bundles.set(program, out);
  return out;
}

function baseEnv(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    LOG_FORMAT: 'text',
  };
}

export function istiodSpec(l: Layout): ComponentSpec | undefined {
  const main = mainOf('istiod');
  if (!existsSync(main)) return undefined;
  return {
    name: 'istiod',
    netns: l.cpNetns,
    argv: [process.execPath, main],
    env: {
      ...baseEnv(),
      KUBECONFIG: l.clusterKubeconfig,
      ISTIOD_GRPC_ADDR: `${CONTROL_PLANE_IP}:15012`,
      ISTIOD_HTTP_ADDR: `${CONTROL_PLANE_IP}:15014`,
      POD_NAMESPACE: SYSTEM_NAMESPACE,
      ISTIOD_SERVING_SANS: CONTROL_PLANE_IP,
    },
    health: { host: CONTROL_PLANE_IP, port: 15014, path: '/ready' },
    addresses: { xds: `https://${CONTROL_PLANE_IP}:15012`, http: `http://${CONTROL_PLANE_IP}:15014` },
  };
}

/** Writes the ztunnel's root cert (ConfigMap istio-ca-root-cert) and a token bound to its Pod object. */
async function prepareZtunnel(kube: KubeClient, node: NodeLayout): Promise<void> {
  const cm = await kube.get<{ data?: Record<string, string> }>(corePath('configmaps', SYSTEM_NAMESPACE, 'istio-ca-root-cert'));
  const root = cm?.data?.['root-cert.pem'];
  if (!root) throw new Error('ConfigMap istio-system/istio-ca-root-cert has no root-cert.pem yet (istiod not up)');
  const podName = `ztunnel-${node.name}`;
  const pod = await kube.get(corePath('pods', SYSTEM_NAMESPACE, podName));
  if (!pod) throw new Error(`Pod ${SYSTEM_NAMESPACE}/${podName} missing`);
  const tr = await kube.create<{ status: { token: string } }>(`${corePath('serviceaccounts', SYSTEM_NAMESPACE, 'ztunnel')}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { audiences: ['istio-ca'], expirationSeconds: TOKEN_SECONDS, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: podName, uid: pod.metadata.uid } },
  });
  mkdirSync(node.ztunnelDir, { recursive: true });
  writeFileSync(join(node.ztunnelDir, 'root-cert.pem'), root);
  writeFileSync(join(node.ztunnelDir, 'istio-token'), tr.status.token, { mode: 0o600 });
}

export function ztunnelSpec(kube: KubeClient, node: NodeLayout, withCni: boolean): ComponentSpec | undefined {
  if (!existsSync(mainOf('ztunnel'))) return undefined;
  const main = bundledEntry('ztunnel');
  mkdirSync(dirname(node.ztunnelSocket), { recursive: true });
  return {
    name: `ztunnel/${node.name}`,
    netns: node.netns,
    argv: [process.execPath, main],
    env: {
      ...baseEnv(),
      XDS_ADDRESS: `https://${CONTROL_PLANE_IP}:15012`,
      CA_ADDRESS: `https://${CONTROL_PLANE_IP}:15012`,
      XDS_ROOT_CA: join(node.ztunnelDir, 'root-cert.pem'),
      CA_ROOT_CA: join(node.ztunnelDir, 'root-cert.pem'),
      TOKEN_PATH: join(node.ztunnelDir, 'istio-token'),
      NODE_NAME: node.name,
      POD_NAME: `ztunnel-${node.name}`,
      POD_NAMESPACE: SYSTEM_NAMESPACE,
      INSTANCE_IP: node.ip,
      INPOD_UDS: node.ztunnelSocket,
      INPOD_ENABLED: withCni ? 'true' : 'false',
      ADMIN_ADDR: '127.0.0.1:15000',
      STATS_ADDR: '0.0.0.0:15020',
      READINESS_ADDR: '0.0.0.0:15021',
    },
    health: { host: node.ip, port: 15021, path: '/healthz/ready' },
    addresses: { admin: '127.0.0.1:15000', metrics: `http://${node.ip}:15020/metrics`, readiness: `http://${node.ip}:15021/healthz/ready` },
    prepare: () => prepareZtunnel(kube, node),
  };
}

export function cniAgentSpec(l: Layout, node: NodeLayout): ComponentSpec | undefined {
  const main = mainOf('cni');
  if (!existsSync(main)) return undefined;
  mkdirSync(node.cniRunDir, { recursive: true });
  return {
    name: `cni/${node.name}`,
    netns: node.netns,
    argv: [process.execPath, bundledEntry('cni-agent')],
    env: {
      ...baseEnv(),
      KUBECONFIG: l.clusterKubeconfig,
      NODE_NAME: node.name,
      POD_NAMESPACE: SYSTEM_NAMESPACE,
      ZTUNNEL_UDS: node.ztunnelSocket,
      CNI_AGENT_RUN_DIR: node.cniRunDir,
      CNI_NET_DIR: node.cniNetDir,
      CNI_BIN_DIR: node.cniBinDir,
      // The installed plugin runs from its bundle: every pod's ADD waits for the plugin to start.
      CNI_PLUGIN_ENTRY: bundledEntry('istio-cni'),
      NETNS_DIR: '/var/run/netns',
      // Other local clusters' pods live in the same directory, with the same pod IPs: only this cluster's.
      NETNS_PREFIX: podNetnsName(l, ''),
      AGENT_READY_ADDR: '0.0.0.0:8000',
    },
    health: { host: node.ip, port: 8000, path: '/readyz' },
    addresses: { ready: `http://${node.ip}:8000/readyz`, events: join(node.cniRunDir, 'pluginevent.sock') },
  };
}

/** The objects the CA needs to check a ztunnel: namespace, ServiceAccount, one hostNetwork Pod per node. */
export async function ensureMeshObjects(kube: KubeClient, nodes: readonly NodeLayout[]): Promise<void> {
  await kube.ensure(corePath('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE } });
  await kube.ensure(corePath('serviceaccounts', SYSTEM_NAMESPACE), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ztunnel', namespace: SYSTEM_NAMESPACE } });
  for (const node of nodes) {
    const name = `ztunnel-${node.name}`;
    await kube.ensure(corePath('pods', SYSTEM_NAMESPACE), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: SYSTEM_NAMESPACE, labels: { app: 'ztunnel' }, annotations: { 'ambientctl.local/managed': 'component' } },
      spec: { nodeName: node.name, serviceAccountName: 'ztunnel', hostNetwork: true, containers: [{ name: 'istio-proxy', image: 'ambient/ztunnel' }] },
      status: {
        phase: 'Running',
        podIP: node.ip,
        podIPs: [{ ip: node.ip }],
        hostIP: node.ip,
        conditions: [{ type: 'Ready', status: 'True' }],
        // The process is the daemon's supervised ztunnel; kubectl counts READY from containerStatuses.
        containerStatuses: [{ name: 'istio-proxy', image: 'ambient/ztunnel', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }],
      },
    });
  }
}
