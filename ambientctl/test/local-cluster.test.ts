// `ambientctl local up --nodes 2 --mesh=false`: nodes, scheduling, Deployments, pod networking across nodes,
// Services through cluster DNS, probes, EndpointSlices, pod deletion, `down`. Real netns; needs root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, corePath } from '../src/local/cluster/kube-client.ts';
import type { Obj } from '../src/local/cluster/kube-client.ts';
import { layoutFor, podNetnsName } from '../src/local/cluster/layout.ts';
import { clusterNetns } from '../src/local/cluster/teardown.ts';
import { cli, eventually } from './local-helpers.ts';

const NODE = process.execPath;
/** A tiny HTTP server: 503 on /ready until the file `ready` exists in its cwd, 200 otherwise. */
const SERVER = `require('http').createServer((q,s)=>{const ok=q.url!=='/ready'||require('fs').existsSync('ready');s.writeHead(ok?200:503);s.end(process.env.POD_NAME+'\\n')}).listen(8080)`;

function deployment(name: string, replicas: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'srv', image: 'local/node', command: [NODE, '-e', SERVER], ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 } }],
        },
      },
    },
  };
}

function podReady(p: Obj): boolean {
  return ((p.status?.['conditions'] as { type: string; status: string }[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

describe('ambientctl local (cluster only)', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-test-'));
  const layout = layoutFor(dataDir);
  const dd = ['--data-dir', dataDir];
  let kube: KubeClient;

  before(async () => {
    const up = await cli(['local', 'up', '--nodes', '2', '--mesh=false', '--timeout', '120', ...dd], 150_000);
    assert.equal(up.code, 0, `up failed: ${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /kubeconfig: .*kubeconfig/);
    kube = KubeClient.fromKubeconfig(layout.kubeconfig);
  });

  after(async () => {
    kube?.close();
    await cli(['local', 'down', ...dd], 60_000);
  });

  it('registers two Ready nodes with their pod CIDRs', async () => {
    const nodes = await kube.list(corePath('nodes'));
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['node-1', 'node-2']);
    for (const n of nodes) {
      const ready = (n.status?.['conditions'] as { type: string; status: string }[]).find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
    }
    const status = await cli(['local', 'status', '-o', 'json', ...dd]);
    assert.equal(status.code, 0, status.stderr);
    const st = JSON.parse(status.stdout) as { ready: boolean; components: { name: string; healthy: boolean }[] };
    assert.equal(st.ready, true);
    assert.ok(st.components.some((c) => c.name === 'dns' && c.healthy));
  });

  it('runs a Deployment on both nodes; probes gate Ready; pods reach each other and the Service by name', async () => {
    await kube.create('/apis/apps/v1/namespaces/default/deployments', deployment('web', 2));
    await kube.create(corePath('services', 'default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const pods = await eventually('two running web pods with IPs', async () => {
      const ps = (await kube.list(`${corePath('pods', 'default')}?labelSelector=app%3Dweb`)).filter((p) => p.status?.['podIP'] && p.status['phase'] === 'Running');
      return ps.length === 2 ? ps : undefined;
    });
    const byNode = new Map(pods.map((p) => [(p.spec as { nodeName: string }).nodeName, p]));
    assert.deepEqual([...byNode.keys()].sort(), ['node-1', 'node-2'], 'one pod per node');
    for (const [node, p] of byNode) {
      const i = node.split('-')[1];
      assert.match(String(p.status?.['podIP']), new RegExp(`^10\\.244\\.${i}\\.\\d+$`), `${p.metadata.name} in ${node}'s CIDR`);
      assert.equal(p.metadata.labels?.['pod-template-hash']?.length, 10);
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    }
    // The readiness probe fails (503) until the file exists: the pods stay not Ready, and the slice says so.
    await new Promise((r) => setTimeout(r, 2500));
    for (const p of await kube.list(`${corePath('pods', 'default')}?labelSelector=app%3Dweb`)) assert.equal(podReady(p), false, `${p.metadata.name} must not be Ready yet`);
    const slice = await eventually('slice with 2 not-ready endpoints', async () => {
      const s = await kube.get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-local');
      const eps = (s?.['endpoints'] as { conditions: { ready: boolean } }[] | undefined) ?? [];
      return eps.length === 2 ? s : undefined;
    });
    assert.ok((slice['endpoints'] as { conditions: { ready: boolean } }[]).every((e) => !e.conditions.ready));
    assert.deepEqual((slice['ports'] as { port: number }[]).map((p) => p.port), [8080]);

    const p1 = byNode.get('node-1') as Obj;
    const p2 = byNode.get('node-2') as Obj;
    for (const p of [p1, p2]) {
      const touch = await cli(['local', 'exec', ...dd, `default/${p.metadata.name}`, '--', 'touch', join(dataDir, 'pods', p.metadata.uid ?? '', 'ready')]);
      assert.equal(touch.code, 0, touch.stderr);
    }
    await eventually('both pods Ready', async () => {
      const ps = await kube.list(`${corePath('pods', 'default')}?labelSelector=app%3Dweb`);
      return ps.length === 2 && ps.every(podReady) ? true : undefined;
    });
    await eventually('slice endpoints ready', async () => {
      const s = await kube.get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-local');
      const eps = (s?.['endpoints'] as { conditions: { ready: boolean } }[] | undefined) ?? [];
      return eps.length === 2 && eps.every((e) => e.conditions.ready) ? true : undefined;
    });

    const direct = await cli(['local', 'exec', ...dd, `default/${p1.metadata.name}`, '--', 'curl', '-sS', '-m', '5', `http://${String(p2.status?.['podIP'])}:8080/`]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(direct.stdout.trim(), p2.metadata.name, 'node-1 pod reached the node-2 pod by IP');

    const seen = new Set<string>();
    for (const host of ['web', 'web.default', 'web.default.svc.cluster.local']) {
      const r = await eventually(`curl http://${host}/`, async () => {
        const res = await cli(['local', 'exec', ...dd, `default/${p1.metadata.name}`, '--', 'curl', '-sS', '-m', '5', `http://${host}/`]);
        return res.code === 0 ? res : undefined;
      }, 30_000, 500);
      seen.add(r.stdout.trim());
    }
    assert.ok([...seen].every((n) => n === p1.metadata.name || n === p2.metadata.name), `answers from the web pods: ${[...seen].join(',')}`);

    const failing = await cli(['local', 'exec', ...dd, `default/${p1.metadata.name}`, '--', 'sh', '-c', 'exit 7']);
    assert.equal(failing.code, 7, 'exec passes the exit code through');
  });

  it('honours nodeName and nodeSelector on kubernetes.io/hostname', async () => {
    const pod = (name: string, spec: Record<string, unknown>): Obj => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { ...spec, containers: [{ name: 'c', image: 'x', command: ['sleep', '600'] }] },
    });
    await kube.create(corePath('pods', 'default'), pod('pinned', { nodeName: 'node-2' }));
    await kube.create(corePath('pods', 'default'), pod('selected', { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } }));
    await eventually('pods bound', async () => {
      const a = await kube.get(corePath('pods', 'default', 'pinned'));
      const b = await kube.get(corePath('pods', 'default', 'selected'));
      return (a?.spec as { nodeName?: string })?.nodeName === 'node-2' && (b?.spec as { nodeName?: string })?.nodeName === 'node-1' && b?.status?.['podIP'] ? true : undefined;
    });
    const b = await kube.get(corePath('pods', 'default', 'selected'));
    assert.match(String(b?.status?.['podIP']), /^10\.244\.1\./);
  });

  it('restarts a container whose liveness probe fails, keeps its log, runs host-network pods in the node netns', async () => {
    await kube.create(corePath('pods', 'default'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'unhealthy', namespace: 'default' },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'c', image: 'x', command: ['sh', '-c', 'echo started; exec sleep 600'], livenessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1, failureThreshold: 1 } }],
      },
    });
    await kube.create(corePath('pods', 'default'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hostnet', namespace: 'default' },
      spec: { nodeName: 'node-2', hostNetwork: true, containers: [{ name: 'c', image: 'x', command: ['sleep', '600'] }] },
    });
    await eventually('a liveness restart', async () => {
      const p = await kube.get(corePath('pods', 'default', 'unhealthy'));
      const restarts = (p?.status?.['containerStatuses'] as { restartCount: number }[] | undefined)?.[0]?.restartCount ?? 0;
      return restarts >= 1 ? true : undefined;
    });
    const logs = await cli(['local', 'logs', ...dd, 'default/unhealthy']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(logs.stdout.split('\n').filter((l) => l === 'started').length >= 2, `log shows the restart: ${logs.stdout}`);
    const host = await eventually('hostnet running', async () => {
      const p = await kube.get(corePath('pods', 'default', 'hostnet'));
      return p?.status?.['phase'] === 'Running' ? p : undefined;
    });
    assert.equal(host.status?.['podIP'], '10.200.0.12');
    const d = await kube.get('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(d?.status?.['readyReplicas'], 2);
  });

  it('pod delete stops it, removes its netns and its resolv.conf, and the Deployment replaces it', async () => {
    const pod = await kube.get(corePath('pods', 'default', 'selected'));
    const netns = podNetnsName(layout, pod?.metadata.uid ?? '');
    assert.ok(existsSync(`/run/netns/${netns}`));
    await kube.delete(corePath('pods', 'default', 'selected'));
    await eventually('pod gone', async () => ((await kube.get(corePath('pods', 'default', 'selected'))) ? undefined : true));
    assert.equal(existsSync(`/run/netns/${netns}`), false, 'netns deleted');
    assert.equal(existsSync(`/etc/netns/${netns}`), false, '/etc/netns dir deleted');

    const web = (await kube.list(`${corePath('pods', 'default')}?labelSelector=app%3Dweb`))[0] as Obj;
    await kube.delete(corePath('pods', 'default', web.metadata.name));
    await eventually('a replacement web pod', async () => {
      const ps = await kube.list(`${corePath('pods', 'default')}?labelSelector=app%3Dweb`);
      return ps.length === 2 && !ps.some((p) => p.metadata.name === web.metadata.name) ? true : undefined;
    });
    await eventually('slice without the deleted pod', async () => {
      const s = await kube.get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-local');
      const addrs = ((s?.['endpoints'] as { addresses: string[] }[] | undefined) ?? []).flatMap((e) => e.addresses);
      return addrs.includes(String(web.status?.['podIP'])) ? undefined : true;
    });
  });

  it('down removes every netns, process and file', async () => {
    const before = clusterNetns(layout.prefix);
    assert.ok(before.length >= 3);
    const down = await cli(['local', 'down', ...dd]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(clusterNetns(layout.prefix), []);
    assert.equal(existsSync(dataDir), false);
    const status = await cli(['local', 'status', ...dd]);
    assert.equal(status.code, 3);
  });
});
