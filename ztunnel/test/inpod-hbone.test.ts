// Two enrolled pods in real network namespaces, each with the in-pod rules, each served by its own ztunnel
// (in-process) fed by a fake xDS server, a fake node agent (ZDS) and an in-process CA: app traffic is
// captured, carried over HBONE, and checked against policy at the destination.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeFd, openNetns } from '@mesh/common/net';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { FakeXdsServer, waitUntil } from '@mesh/common/testing';
import { CertificateAuthority } from '@mesh/common/tls';
import type { Ztunnel } from '../src/app.ts';
import { FakeZdsAgent } from './fake-zds-agent.test-util.ts';
import { LogSink, authorization, inProcessCa, request, startEchoApp, startTestZtunnel, workload } from './mesh.test-util.ts';
import { TestNetwork } from './netns.test-util.ts';
import type { TestPod } from './netns.test-util.ts';

const SVC = 'default/echo.default.svc.cluster.local';
const A_UID = 'uid-a';
const B_UID = 'uid-b';

describe('ztunnel in-pod HBONE between two pods', { timeout: 170_000 }, () => {
  const codec = ProtoCodec.load();
  let net0: TestNetwork;
  let podA: TestPod;
  let podB: TestPod;
  let outsider: TestPod;
  let fdA: number;
  let fdB: number;
  let fdC: number;
  let xds: FakeXdsServer;
  let dir: string;
  const agents: FakeZdsAgent[] = [];
  let ztA: Ztunnel;
  let ztB: Ztunnel;
  const logA = new LogSink();
  const logB = new LogSink();
  let app: net.Server;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zt-test-'));
    net0 = new TestNetwork('ztt');
    podA = net0.addPod('a', '10.77.0.2', true);
    podB = net0.addPod('b', '10.77.0.3', true);
    outsider = net0.addPod('c', '10.77.0.4', false);
    fdA = openNetns(podA.path);
    fdB = openNetns(podB.path);
    fdC = openNetns(outsider.path);
    app = await startEchoApp(fdB, 8080);

    xds = await FakeXdsServer.start();
    xds.store.upsert(TYPE_URL.ADDRESS, 'Kubernetes//Pod/default/a', workload(codec, { uid: 'Kubernetes//Pod/default/a', name: 'a', sa: 'sleep', ip: podA.ip }));
    xds.store.upsert(TYPE_URL.ADDRESS, 'Kubernetes//Pod/default/b', workload(codec, { uid: 'Kubernetes//Pod/default/b', name: 'b', sa: 'echo', ip: podB.ip, services: { [SVC]: { ports: [{ service_port: 80, target_port: 8080 }] } } }));
    xds.store.upsert(TYPE_URL.ADDRESS, SVC, {
      version: '1',
      resource: codec.pack('istio.workload.Address', { service: { name: 'echo', namespace: 'default', hostname: 'echo.default.svc.cluster.local', addresses: [{ network: '', address: Buffer.from([10, 96, 0, 10]) }], ports: [{ service_port: 80, target_port: 8080 }] } }),
    });

    const ca = await CertificateAuthority.generate();
    const agentA = new FakeZdsAgent(join(dir, 'a.sock'), codec, [{ uid: A_UID, name: 'a', namespace: 'default', serviceAccount: 'sleep', netnsPath: podA.path }]);
    const agentB = new FakeZdsAgent(join(dir, 'b.sock'), codec, [{ uid: B_UID, name: 'b', namespace: 'default', serviceAccount: 'echo', netnsPath: podB.path }]);
    agents.push(agentA, agentB);
    ztA = await startTestZtunnel({ xdsAddress: xds.address, zdsPath: agentA.path, ca: inProcessCa(ca), log: logA, node: 'node-a' });
    ztB = await startTestZtunnel({ xdsAddress: xds.address, zdsPath: agentB.path, ca: inProcessCa(ca), log: logB, node: 'node-b' });
    await waitUntil('both ztunnels ready', () => ztA.readiness.isReady() && ztB.readiness.isReady(), 30_000);
    await waitUntil('both certificates', () => ztA.certs.current('spiffe://cluster.local/ns/default/sa/sleep') !== undefined && ztB.certs.current('spiffe://cluster.local/ns/default/sa/echo') !== undefined, 30_000);
  });

  after(async () => {
    await Promise.allSettled([ztA?.close(), ztB?.close()]);
    for (const a of agents) a.close();
    xds?.close();
    app?.close();
    for (const fd of [fdA, fdB, fdC]) if (fd !== undefined) closeFd(fd);
    net0?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries a captured connection over HBONE; the app sees the client pod IP', async () => {
    const reply = await request(fdA, podB.ip, 8080, 'hello');
    assert.equal(reply.error, undefined);
    assert.equal(reply.data, `${podA.ip}\nhello`);
    const done = logB.completed().find((l) => l.direction === 'inbound' && l['src.identity'] === 'spiffe://cluster.local/ns/default/sa/sleep');
    assert.ok(done, 'the server ztunnel logged the mTLS peer identity');
  });

  it('routes a service VIP to its endpoint (service port 80 → target 8080)', async () => {
    const reply = await request(fdA, '10.96.0.10', 80, 'via-vip');
    assert.equal(reply.error, undefined);
    assert.equal(reply.data, `${podA.ip}\nvia-vip`);
  });

  it('counts traffic with Istio labels on both sides', async () => {
    const text = await ztB.metrics.metrics();
    assert.match(text, /istio_tcp_connections_closed_total\{reporter="destination",source_workload="a".*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep".*connection_security_policy="mutual_tls"/);
    const textA = await ztA.metrics.metrics();
    assert.match(textA, /istio_tcp_sent_bytes_total\{reporter="source".*destination_service="echo.default.svc.cluster.local"/);
  });

  it('a DENY policy closes the client connection and the server logs 401 DENY', async () => {
    xds.store.upsert(TYPE_URL.AUTHORIZATION, 'default/deny-sleep', authorization(codec, {
      name: 'deny-sleep', namespace: 'default', scope: 'NAMESPACE', action: 'DENY',
      groups: [{ rules: [{ matches: [{ principals: [{ exact: 'cluster.local/ns/default/sa/sleep' }] }] }] }],
    }));
    await waitUntil('policy at ztunnel B', () => ztB.state.dump().policies.some((p) => p.name === 'deny-sleep'), 15_000);
    const reply = await request(fdA, podB.ip, 8080, 'blocked');
    assert.equal(reply.data, '', 'the client gets no bytes from the app');
    const denied = logB.completed().find((l) => typeof l.error === 'string' && l.error.includes('DENY') && l.error.includes('401'));
    assert.ok(denied, `server access log has a 401 DENY line; got ${JSON.stringify(logB.completed().slice(-2))}`);
    assert.match(await ztB.metrics.metrics(), /istio_tcp_connections_closed_total\{reporter="destination".*response_flags="DENY"/);
    xds.store.remove(TYPE_URL.AUTHORIZATION, 'default/deny-sleep');
    await waitUntil('policy removed at ztunnel B', () => !ztB.state.dump().policies.some((p) => p.name === 'deny-sleep'), 15_000);
    assert.equal((await request(fdA, podB.ip, 8080, 'again')).data, `${podA.ip}\nagain`);
  });

  it('plaintext from outside the mesh reaches the app until STRICT mTLS is required', async () => {
    const before = await request(fdC, podB.ip, 8080, 'plain');
    assert.equal(before.data, `${outsider.ip}\nplain`, 'plaintext is captured on 15006 and passed with the source IP');
    xds.store.upsert(TYPE_URL.AUTHORIZATION, 'default/converted_peer_authentication_strict', authorization(codec, {
      name: 'converted_peer_authentication_strict', namespace: 'default', scope: 'NAMESPACE', action: 'DENY',
      groups: [{ rules: [{ matches: [{ not_principals: [{ presence: {} }] }] }] }],
    }));
    await waitUntil('STRICT at ztunnel B', () => ztB.state.dump().policies.some((p) => p.name === 'converted_peer_authentication_strict'), 15_000);
    const refused = await request(fdC, podB.ip, 8080, 'plain');
    assert.equal(refused.data, '', 'plaintext is refused under STRICT');
    assert.equal((await request(fdA, podB.ip, 8080, 'mtls')).data, `${podA.ip}\nmtls`, 'HBONE still works under STRICT');
    xds.store.remove(TYPE_URL.AUTHORIZATION, 'default/converted_peer_authentication_strict');
    await waitUntil('STRICT removed', () => !ztB.state.dump().policies.some((p) => p.name === 'converted_peer_authentication_strict'), 15_000);
  });
});
