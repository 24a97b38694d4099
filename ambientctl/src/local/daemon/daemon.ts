// `ambientctl local daemon`: the composition root of a local cluster. Builds the network, runs the API
// server, the controllers and kubelets, cluster DNS and the mesh components, and serves the control socket.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type net from 'node:net';
import { createLogger } from '@mesh/common/log';
import type { Logger } from '@mesh/common/log';
import { Drain, onSignals } from '@mesh/common/lifecycle';
import { errorMessage } from '@mesh/common/errors';
import { startApiServer } from '../apiserver/index.ts';
import type { ApiServer } from '../apiserver/index.ts';
import { renderKubeconfig } from '../apiserver/kubeconfig.ts';
import { CLUSTER_API_PORT, CONTROL_PLANE_IP, layoutFor, nodeLayout } from '../cluster/layout.ts';
import type { Layout, NodeLayout } from '../cluster/layout.ts';
import { KubeClient, corePath } from '../cluster/kube-client.ts';
import { LocalError } from '../cluster/run.ts';
import { StateFile, emptyState, isAlive, processRecord, readState } from '../cluster/state.ts';
import { teardown } from '../cluster/teardown.ts';
import { createControlPlane, createNode, installServiceChains, linkNodes, writeNodeCniConfig } from '../cluster/topology.ts';
import { POSTROUTING_CHAIN, SERVICES_CHAIN } from '../controllers/service-proxy.ts';
import { Kubelet } from '../kubelet/kubelet.ts';
import { cniAgentSpec, ensureMeshObjects, istiodSpec, ztunnelSpec } from '../mesh/components.ts';
import { forwardIntoNetns } from './api-forwarder.ts';
import { startControlServer } from './control.ts';
import { httpHealthy } from './health.ts';
import { Reconciler } from './reconciler.ts';
import { Supervisor } from './supervisor.ts';

export interface DaemonOptions {
  readonly dataDir: string;
  readonly nodes: number;
  readonly mesh: boolean;
}

const CLI = fileURLToPath(new URL('../../../bin/ambientctl.js', import.meta.url));

/** What `status` shows. */
export interface ClusterStatus {
  ready: boolean;
  dataDir: string;
  prefix: string;
  kubeconfig: string;
  apiserver: { url: string; clusterUrl: string };
  mesh: boolean;
  nodes: { name: string; netns: string; ip: string; podCidr: string }[];
  components: { name: string; netns: string; pid?: number; running: boolean; restarts: number; healthy: boolean; addresses: Record<string, string> }[];
}

async function createNodes(kube: KubeClient, nodes: readonly NodeLayout[]): Promise<void> {
  for (const n of nodes) {
    await kube.ensure(corePath('nodes'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch } },
      spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr] },
      status: {
        addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'local kubelet is posting ready status', lastTransitionTime: new Date().toISOString() }],
        nodeInfo: { kubeletVersion: 'v1.31.0-ambientctl', operatingSystem: 'linux', architecture: process.arch },
      },
    });
  }
}

/** Runs until SIGTERM/SIGINT; resolves after the graceful stop. */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const l = layoutFor(opts.dataDir);
  const root = createLogger({ format: 'text' });
  const log = root.scope('local');
  const previous = readState(l.statePath);
  if (previous?.daemon && isAlive(previous.daemon) && previous.daemon.pid !== process.pid) {
    throw new LocalError('ERR_LOCAL_ALREADY_RUNNING', `a local cluster daemon already runs for ${l.dataDir} (pid ${previous.daemon.pid})`);
  }
  if (previous) await teardown(l, { keepDataDir: true });
  mkdirSync(l.logsDir, { recursive: true });
  const state = new StateFile(l.statePath, { ...emptyState(l.prefix, opts.nodes, opts.mesh), daemon: processRecord(process.pid, 'daemon') });
  const nodes = Array.from({ length: opts.nodes }, (_, i) => nodeLayout(l, i + 1));

  createControlPlane(l, state);
  for (const n of nodes) {
    createNode(l, n, state);
    writeNodeCniConfig(n);
    installServiceChains(n, SERVICES_CHAIN, POSTROUTING_CHAIN);
  }
  linkNodes(nodes);
  log.info({ prefix: l.prefix, nodes: nodes.length }, 'network ready');

  const api = await startApiServer({
    port: 0,
    dataDir: l.apiserverDir,
    extraSans: [CONTROL_PLANE_IP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
  });
  copyFileSync(api.kubeconfigPath, l.kubeconfig);
  const clusterUrl = `https://${CONTROL_PLANE_IP}:${CLUSTER_API_PORT}`;
  writeFileSync(l.clusterKubeconfig, renderKubeconfig({ server: clusterUrl, caCertPem: api.caCertPem, token: api.token, name: 'ambient-local' }), { mode: 0o600 });
  const forwarder = await forwardIntoNetns(l.cpNetns, CONTROL_PLANE_IP, CLUSTER_API_PORT, api.port);
  log.info({ url: api.url, clusterUrl }, 'API server ready');

  const kube = KubeClient.fromKubeconfig(l.kubeconfig);
  await createNodes(kube, nodes);
  const kubelets = nodes.map((n) => new Kubelet(l, n, kube, state, root.scope('kubelet')));
  const reconciler = new Reconciler(kube, kubelets, l.dnsRecordsPath, root.scope('controllers'));
  await reconciler.tick().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'first reconcile failed'));
  reconciler.start();

  const supervisor = new Supervisor(l.logsDir, state, root.scope('supervisor'));
  await supervisor.add({
    name: 'dns',
    netns: l.cpNetns,
    argv: [process.execPath, CLI, 'local', 'dns-server', '--records', l.dnsRecordsPath, '--listen', `${CONTROL_PLANE_IP}:53`],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    addresses: { dns: `${CONTROL_PLANE_IP}:53/udp` },
  });
  if (opts.mesh) await startMesh(l, nodes, kube, supervisor, log);

  const status = async (): Promise<ClusterStatus> => {
    const components = await Promise.all(
      supervisor.status().map(async (c) => ({
        name: c.name,
        netns: c.netns,
        ...(c.pid === undefined ? {} : { pid: c.pid }),
        running: c.running,
        restarts: c.restarts,
        healthy: c.running && (c.health ? await httpHealthy(c.netns, c.health.host, c.health.port, c.health.path) : true),
        addresses: c.addresses,
      })),
    );
    const all = [{ name: 'apiserver', netns: 'root', pid: process.pid, running: true, restarts: 0, healthy: true, addresses: { url: api.url, cluster: clusterUrl } }, ...components];
    return {
      ready: all.every((c) => c.healthy),
      dataDir: l.dataDir,
      prefix: l.prefix,
      kubeconfig: l.kubeconfig,
      apiserver: { url: api.url, clusterUrl },
      mesh: opts.mesh,
      nodes: nodes.map((n) => ({ name: n.name, netns: n.netns, ip: n.ip, podCidr: n.podCidr })),
      components: all,
    };
  };
  const control = await startControlServer(l.controlSocket, { status, restart: (c) => supervisor.restart(c), stop: (c) => supervisor.stop(c), start: (c) => supervisor.start(c) });
  log.info({ socket: l.controlSocket }, 'local cluster daemon serving');

  await waitForSignal(log, { control, reconciler, kubelets, supervisor, forwarder, api, kube });
}

async function startMesh(l: Layout, nodes: readonly NodeLayout[], kube: KubeClient, supervisor: Supervisor, log: Logger): Promise<void> {
  await ensureMeshObjects(kube, nodes);
  const istiod = istiodSpec(l);
  if (istiod) await supervisor.add(istiod);
  else log.warn('istiod/src/main.ts not found: istiod not started');
  for (const n of nodes) {
    const agent = cniAgentSpec(l, n);
    if (agent) await supervisor.add(agent);
    const zt = ztunnelSpec(kube, n, agent !== undefined);
    if (zt) await supervisor.add(zt);
  }
}

interface Parts {
  control: Server;
  reconciler: Reconciler;
  kubelets: Kubelet[];
  supervisor: Supervisor;
  forwarder: net.Server;
  api: ApiServer;
  kube: KubeClient;
}

function waitForSignal(log: Logger, p: Parts): Promise<void> {
  const drain = new Drain({ deadlineMs: 30_000 });
  return new Promise<void>((resolve) => {
    drain.register('cluster', {
      graceful: async () => {
        p.control.close();
        await p.reconciler.close();
        await Promise.all(p.kubelets.map((k) => k.close()));
        await p.supervisor.stopAll();
        p.forwarder.close();
        p.kube.close();
        await p.api.close();
      },
      force: () => undefined,
    });
    onSignals(drain, {
      onDrained: (result) => {
        log.info({ reason: result.reason, forced: result.forced }, 'local cluster daemon stopped');
        resolve();
      },
    });
  });
}
