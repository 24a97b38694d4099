// The node agent against the local API server, with real pod netns and a fake ztunnel (ZDS client).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { createLogger } from '@mesh/common/log';
import { startLocalApiServer, waitUntil } from '@mesh/common/testing';
import type { LocalApiServer } from '@mesh/common/testing';
import type { AgentConfig } from '../src/agent/config.ts';
import { startNodeAgent } from '../src/agent/node-agent.ts';
import type { NodeAgent } from '../src/agent/node-agent.ts';
import { runChain } from './cni-exec.test-util.ts';
import { FakeZtunnel } from './fake-ztunnel.test-util.ts';
import { unixHttp } from './unix-http.test-util.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
const NODE = `node-${id}`;
const NS = `demo-${randomBytes(3).toString('hex')}`;
const SUBNET = `10.251.${randomInt(1, 250)}`;
const dir = mkdtempSync(join(tmpdir(), 'cni-agent-'));
const log = createLogger({ level: process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'none', format: 'text' }).logger;
const netnsNames: string[] = [];
const ztunnels: FakeZtunnel[] = [];
let api: LocalApiServer | undefined;
let core: CoreV1Api;
let agent: NodeAgent | undefined;
let config: AgentConfig;

function podNetns(ip: string): string {
  const name = `cnia-${id}-${netnsNames.length}`;
  execFileSync('ip', ['netns', 'add', name]);
  netnsNames.push(name);
  const x = (...a: string[]): string => execFileSync('ip', ['netns', 'exec', name, ...a], { encoding: 'utf8' });
  x('ip', 'link', 'set', 'lo', 'up');
  x('ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
  x('ip', 'link', 'set', 'peer0', 'up');
  x('ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
  x('ip', 'link', 'set', 'eth0', 'up');
  return name;
}
const save = (ns: string): string[] =>
  execFileSync('ip', ['netns', 'exec', ns, 'iptables-save'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('ISTIO_'));

async function createPod(name: string, ip: string, labels: Record<string, string> = {}): Promise<V1Pod> {
  const pod = await core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name, labels }, spec: { nodeName: NODE, serviceAccountName: 'echo', containers: [{ name: 'c', image: 'ambient/echo' }] } },
  });
  await core.patchNamespacedPodStatus({ name, namespace: NS, body: { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } }, mergePatch);
  return pod;
}
async function annotation(name: string): Promise<string | undefined> {
  const p = await core.readNamespacedPod({ name, namespace: NS });
  return p.metadata?.annotations?.['ambient.istio.io/redirection'];
}
async function waitAnnotation(name: string, want: string | undefined): Promise<void> {
  let last: string | undefined = 'unread';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    last = await annotation(name);
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`annotation of ${name}: want ${want}, have ${last}`);
}
function ztunnel(): FakeZtunnel {
  const z = new FakeZtunnel(config.ztunnelUds);
  ztunnels.push(z);
  return z;
}
const post = (path: string, body: string): Promise<{ status: number; text: string }> =>
  unixHttp(join(config.runDir, 'pluginevent.sock'), 'POST', path, body, 30_000);

before(async () => {
  api = await startLocalApiServer();
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  mkdirSync(join(dir, 'net.d'));
  writeFileSync(
    join(dir, 'net.d', '10-bridge.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'k8s',
      plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: `${SUBNET}.0/24` }]], rangeStart: `${SUBNET}.100`, dataDir: join(dir, 'ipam') } }],
    }),
  );
  config = {
    kubeconfig: api.kubeconfigPath,
    nodeName: NODE,
    podNamespace: 'istio-system',
    ztunnelUds: join(dir, 'zt', 'ztunnel.sock'),
    runDir: join(dir, 'run'),
    cniNetDir: join(dir, 'net.d'),
    cniBinDir: join(dir, 'bin'),
    cniConfName: '',
    installCni: true,
    pluginEntry: '',
    excludeNamespaces: ['kube-system'],
    readyAddr: { host: '127.0.0.1', port: 0 },
    netnsDir: '/run/netns',
    // Only this test's pods: other tests running meanwhile may have netns holding the same addresses.
    netnsPrefix: `cnia-${id}-`,
    dnsCapture: false,
    // the agent runs in this test's netns (the root one), whose nat table is not ours to change
    hostProbeSnat: false,
    logLevel: 'error',
    logFormat: 'text',
  };
  agent = await startNodeAgent(config, { log });
});

after(async () => {
  for (const z of ztunnels) z.close();
  await agent?.close();
  await api?.close();
  for (const n of netnsNames) {
    try {
      execFileSync('ip', ['netns', 'del', n]);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('node agent', () => {
  let zt: FakeZtunnel;
  let netnsA: string;
  let uidA = '';

  it('installs the plugin and reports ready', async () => {
    const conf = JSON.parse(readFileSync(join(dir, 'net.d', '10-bridge.conflist'), 'utf8')) as { plugins: { type: string; cni_agent_run_dir: string }[] };
    assert.equal(conf.plugins.at(-1)?.type, 'istio-cni');
    assert.equal(conf.plugins.at(-1)?.cni_agent_run_dir, config.runDir);
    const res = await fetch(`http://127.0.0.1:${agent?.readyAddress.port}/readyz`);
    assert.equal(res.status, 200);
    zt = ztunnel();
    await zt.waitFor('snapshot_sent', (r) => r.kind === 'snapshot_sent');
  });

  it('labelling the namespace enrolls a running pod: rules, ZDS add with a netns fd, annotation', async () => {
    netnsA = podNetns(`${SUBNET}.5`);
    const pod = await createPod('a', `${SUBNET}.5`);
    uidA = pod.metadata?.uid ?? '';
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await annotation('a'), undefined);
    assert.deepEqual(save(netnsA), []);
    await core.patchNamespace({ name: NS, body: { metadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } } }, mergePatch);
    await waitAnnotation('a', 'enabled');
    const add = await zt.waitFor('add of pod a', (r) => r.kind === 'add' && r.uid === uidA);
    assert.equal(add.fdCount, 1);
    assert.ok(add.fdIsNetns, 'the fd is a network namespace');
    assert.equal(add.name, 'a');
    assert.equal(add.namespace, NS);
    const rules = save(netnsA);
    assert.ok(rules.includes('-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001'), rules.join('\n'));
    assert.match(execFileSync('ip', ['netns', 'exec', netnsA, 'ip', 'rule'], { encoding: 'utf8' }), /fwmark 0x111\/0xfff lookup 100/);
  });

  it('a restarted agent reconciles without duplicating rules and snapshots the pod to ztunnel', async () => {
    const before = save(netnsA);
    await agent?.close();
    agent = await startNodeAgent(config, { log });
    const z2 = ztunnel();
    const add = await z2.waitFor('snapshot add', (r) => r.kind === 'add' && r.uid === uidA);
    assert.ok(add.fdIsNetns);
    await z2.waitFor('snapshot_sent', (r) => r.kind === 'snapshot_sent');
    await waitUntil('pod reconciled', () => agent?.pods.enrolledPods().some((p) => p.uid === uidA) === true, 30_000);
    assert.deepEqual(save(netnsA), before);
    assert.equal(await annotation('a'), 'enabled');
    zt = z2;
  });

  it('a CNI ADD event enrolls a new pod; a bad event is refused naming the field', async () => {
    const netnsB = podNetns(`${SUBNET}.6`);
    const pod = await createPod('b', `${SUBNET}.6`);
    const res = await post(
      '/cmdadd',
      JSON.stringify({ Netns: `/run/netns/${netnsB}`, PodName: 'b', PodNamespace: NS, PodUID: pod.metadata?.uid, IPs: [{ Interface: 0, Address: `${SUBNET}.6/24`, Gateway: `${SUBNET}.1` }] }),
    );
    assert.equal(res.status, 200, res.text);
    assert.ok(save(netnsB).length > 0, 'rules in place when the ADD returns');
    await zt.waitFor('add of pod b', (r) => r.kind === 'add' && r.uid === pod.metadata?.uid);
    await waitAnnotation('b', 'enabled');
    const bad = await post('/cmdadd', JSON.stringify({ Netns: '/run/netns/x', PodNamespace: NS }));
    assert.equal(bad.status, 400);
    assert.match(bad.text, /"PodName"/);
    const notJson = await post('/cmdadd', '{');
    assert.equal(notJson.status, 400);
    const missing = await post('/cmdadd', JSON.stringify({ Netns: '/run/netns/x', PodName: 'nope', PodNamespace: NS }));
    assert.equal(missing.status, 500);
    assert.match(missing.text, /not found/);
  });

  it('a pod wired by the real CNI chain (bridge, host-local, istio-cni) is enrolled before ADD returns', async () => {
    const node = `cnia-${id}-node`;
    execFileSync('ip', ['netns', 'add', node]);
    netnsNames.push(node);
    const podNs = `cnia-${id}-chain`;
    execFileSync('ip', ['netns', 'add', podNs]);
    netnsNames.push(podNs);
    const pod = await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'chained' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'ambient/echo' }] } },
    });
    const conflist = JSON.parse(readFileSync(join(dir, 'net.d', '10-bridge.conflist'), 'utf8')) as Record<string, unknown>;
    const args = { containerId: `c-${id}`, podNetnsPath: `/run/netns/${podNs}`, ifName: 'eth0', cniPath: [config.cniBinDir, '/usr/lib/cni'] };
    const r = await runChain(node, conflist, { ...args, command: 'ADD', cniArgs: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${NS};K8S_POD_NAME=chained;K8S_POD_UID=${pod.metadata?.uid}` });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(save(podNs).some((l) => l.includes('--to-ports 15001')), 'rules in the pod netns');
    const add = await zt.waitFor('add of the chained pod', (q) => q.kind === 'add' && q.uid === pod.metadata?.uid);
    assert.ok(add.fdIsNetns);
    await waitAnnotation('chained', 'enabled');
    assert.equal((await runChain(node, conflist, { ...args, command: 'DEL', cniArgs: '', ...(r.result ? { prevResult: r.result } : {}) })).code, 0);
  });

  it('with no ztunnel connected a pod is pending, then enabled once ztunnel connects', async () => {
    zt.close();
    await waitUntil('ztunnel gone', () => agent?.zds.connected === false, 10_000);
    podNetns(`${SUBNET}.7`);
    const pod = await createPod('c', `${SUBNET}.7`);
    await waitAnnotation('c', 'pending');
    zt = ztunnel();
    await zt.waitFor('add of pod c', (r) => r.kind === 'add' && r.uid === pod.metadata?.uid);
    await waitAnnotation('c', 'enabled');
  });

  it('pod opt-out label removes one pod', async () => {
    const uidC = (await core.readNamespacedPod({ name: 'c', namespace: NS })).metadata?.uid;
    await core.patchNamespacedPod({ name: 'c', namespace: NS, body: { metadata: { labels: { 'istio.io/dataplane-mode': 'none' } } } }, mergePatch);
    await zt.waitFor('del of pod c', (r) => r.kind === 'del' && r.uid === uidC);
    await waitAnnotation('c', undefined);
  });

  it('unlabelling the namespace removes rules, sends del and removes the annotation', async () => {
    await core.patchNamespace({ name: NS, body: { metadata: { labels: { 'istio.io/dataplane-mode': null } } } }, mergePatch);
    await zt.waitFor('del of pod a', (r) => r.kind === 'del' && r.uid === uidA);
    await waitAnnotation('a', undefined);
    assert.deepEqual(save(netnsA), []);
    assert.doesNotMatch(execFileSync('ip', ['netns', 'exec', netnsA, 'ip', 'rule'], { encoding: 'utf8' }), /fwmark/);
  });

  it('deleting an enrolled pod sends del', async () => {
    await core.patchNamespace({ name: NS, body: { metadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } } } }, mergePatch);
    await waitAnnotation('a', 'enabled');
    const dels = (): number => zt.received.filter((r) => r.kind === 'del' && r.uid === uidA).length;
    const before = dels();
    await core.deleteNamespacedPod({ name: 'a', namespace: NS });
    await waitUntil('del of the deleted pod', () => dels() > before && agent?.pods.enrolledPods().every((p) => p.uid !== uidA) === true, 30_000);
  });
});
