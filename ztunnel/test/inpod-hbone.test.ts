// Two enrolled pods in real network namespaces, each with the in-pod rules, each served by its own ztunnel
// (in-process) fed by a fake xDS server, a fake node agent (ZDS) and an in-process CA: app traffic is
// captured, carried over HBONE, and checked against policy at the destination.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeFd, connectInNetns, openNetns } from '@mesh/common/net';
import { TYPE_URL } from '@mesh/common/proto';
import { waitUntil } from '@mesh/common/testing';
import { authorization, request, startEchoApp, workload } from './mesh.test-util.ts';
import { B_UID, startTwoPods } from './two-pods.test-util.ts';
import type { TwoPods } from './two-pods.test-util.ts';

describe('ztunnel in-pod HBONE between two pods', { timeout: 170_000 }, () => {
  let m: TwoPods;
  before(async () => {
    m = await startTwoPods('ztt');
  });
  after(() => m?.close());

  it('carries a captured connection over HBONE; the app sees the client pod IP', async () => {
    const reply = await request(m.fdA, m.podB.ip, 8080, 'hello');
    assert.equal(reply.error, undefined);
    assert.equal(reply.data, `${m.podA.ip}\nhello`);
    const done = m.logB.completed().find((l) => l.direction === 'inbound' && l['src.identity'] === 'spiffe://cluster.local/ns/default/sa/sleep');
    assert.ok(done, 'the server ztunnel logged the mTLS peer identity');
  });

  it('routes a service VIP to its endpoint (service port 80 → target 8080)', async () => {
    const reply = await request(m.fdA, '10.96.0.10', 80, 'via-vip');
    assert.equal(reply.error, undefined);
    assert.equal(reply.data, `${m.podA.ip}\nvia-vip`);
  });

  it('passes traffic to a destination outside the mesh through as plain TCP', async () => {
    const app = await startEchoApp(m.fdC, 9090);
    try {
      const reply = await request(m.fdA, m.outsider.ip, 9090, 'out');
      assert.equal(reply.data, `${m.podA.ip}\nout`);
      assert.ok(m.logA.completed().some((l) => l['dst.addr'] === `${m.outsider.ip}:9090` && l.direction === 'outbound' && l['dst.hbone_addr'] === undefined));
    } finally {
      app.close();
    }
  });

  it('counts traffic with Istio labels on both sides', async () => {
    const text = await m.ztB.metrics.metrics();
    assert.match(text, /istio_tcp_connections_closed_total\{reporter="destination",source_workload="a".*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep".*connection_security_policy="mutual_tls"/);
    const textA = await m.ztA.metrics.metrics();
    assert.match(textA, /istio_tcp_sent_bytes_total\{reporter="source".*destination_service="echo.default.svc.cluster.local"/);
    assert.match(textA, /istio_tcp_received_bytes_total\{reporter="source".*destination_workload="b"/, 'client → server bytes are counted');
    assert.match(text, /istio_tcp_received_bytes_total\{reporter="destination"/);
  });

  it('a DENY policy closes the client connection and the server logs 401 DENY', async () => {
    m.xds.store.upsert(TYPE_URL.AUTHORIZATION, 'default/deny-sleep', authorization(m.codec, {
      name: 'deny-sleep', namespace: 'default', scope: 'NAMESPACE', action: 'DENY',
      groups: [{ rules: [{ matches: [{ principals: [{ exact: 'cluster.local/ns/default/sa/sleep' }] }] }] }],
    }));
    await waitUntil('policy at ztunnel B', () => m.ztB.state.dump().policies.some((p) => p.name === 'deny-sleep'), 15_000);
    const reply = await request(m.fdA, m.podB.ip, 8080, 'blocked');
    assert.equal(reply.data, '', 'the client gets no bytes from the app');
    const denied = m.logB.completed().find((l) => typeof l.error === 'string' && l.error.includes('DENY') && l.error.includes('401'));
    assert.ok(denied, `server access log has a 401 DENY line; got ${JSON.stringify(m.logB.completed().slice(-2))}`);
    assert.match(await m.ztB.metrics.metrics(), /istio_tcp_connections_closed_total\{reporter="destination".*response_flags="DENY"/);
    m.xds.store.remove(TYPE_URL.AUTHORIZATION, 'default/deny-sleep');
    await waitUntil('policy removed at ztunnel B', () => !m.ztB.state.dump().policies.some((p) => p.name === 'deny-sleep'), 15_000);
    assert.equal((await request(m.fdA, m.podB.ip, 8080, 'again')).data, `${m.podA.ip}\nagain`);
  });

  it('plaintext from outside the mesh reaches the app until STRICT mTLS is required', async () => {
    const before = await request(m.fdC, m.podB.ip, 8080, 'plain');
    assert.equal(before.data, `${m.outsider.ip}\nplain`, 'plaintext is captured on 15006 and passed with the source IP');
    m.xds.store.upsert(TYPE_URL.AUTHORIZATION, 'default/converted_peer_authentication_strict', authorization(m.codec, {
      name: 'converted_peer_authentication_strict', namespace: 'default', scope: 'NAMESPACE', action: 'DENY',
      groups: [{ rules: [{ matches: [{ not_principals: [{ presence: {} }] }] }] }],
    }));
    await waitUntil('STRICT at ztunnel B', () => m.ztB.state.dump().policies.some((p) => p.name === 'converted_peer_authentication_strict'), 15_000);
    const refused = await request(m.fdC, m.podB.ip, 8080, 'plain');
    assert.equal(refused.data, '', 'plaintext is refused under STRICT');
    assert.equal((await request(m.fdA, m.podB.ip, 8080, 'mtls')).data, `${m.podA.ip}\nmtls`, 'HBONE still works under STRICT');
    m.xds.store.remove(TYPE_URL.AUTHORIZATION, 'default/converted_peer_authentication_strict');
    await waitUntil('STRICT removed', () => !m.ztB.state.dump().policies.some((p) => p.name === 'converted_peer_authentication_strict'), 15_000);
  });

  /** A connection from pod A to the app in pod B: what it has echoed so far, and whether the app side saw it end
   * (EOF or a reset). */
  const watchedConnection = async () => {
    const sock = await connectInNetns({ netnsFd: m.fdA, host: m.podB.ip, port: 8080, allowHalfOpen: true });
    let text = '';
    let ended = false;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', () => {});
    sock.on('end', () => (ended = true));
    sock.on('close', () => (ended = true));
    return { sock, got: () => text, closed: () => ended };
  };

  it('closes a live connection when a new policy denies it', async () => {
    const { sock, got, closed } = await watchedConnection();
    try {
      sock.write('live');
      await waitUntil('echo on the live connection', () => got() === `${m.podA.ip}\nlive`, 15_000);
      m.xds.store.upsert(TYPE_URL.AUTHORIZATION, 'default/deny-late', authorization(m.codec, {
        name: 'deny-late', namespace: 'default', scope: 'NAMESPACE', action: 'DENY',
        groups: [{ rules: [{ matches: [{ principals: [{ exact: 'cluster.local/ns/default/sa/sleep' }] }] }] }],
      }));
      await waitUntil('the live connection is closed', closed, 15_000);
      assert.ok(m.logB.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('AuthorizationPolicyLateRejection')));
    } finally {
      sock.destroy();
      m.xds.store.remove(TYPE_URL.AUTHORIZATION, 'default/deny-late');
      await waitUntil('policy removed', () => !m.ztB.state.dump().policies.some((p) => p.name === 'deny-late'), 15_000);
    }
  });

  // Last: it removes pod B from its ztunnel.
  it('a connection to a pod whose certificate is still being fetched waits for it instead of failing the handshake', async () => {
    const podD = m.network.addPod('d', '10.77.0.5', true);
    const fdD = openNetns(podD.path);
    const appD = await startEchoApp(fdD, 8080);
    const lateId = 'spiffe://cluster.local/ns/default/sa/late';
    const release = m.caB.hold(lateId);
    try {
      m.xds.store.upsert(TYPE_URL.ADDRESS, 'Kubernetes//Pod/default/d', workload(m.codec, { uid: 'Kubernetes//Pod/default/d', name: 'd', sa: 'late', ip: podD.ip }));
      await waitUntil('ztunnel A knows pod d', () => m.ztA.state.workloadByIp('', podD.ip) !== undefined, 15_000);
      assert.equal(await m.agentB.add({ uid: 'uid-d', name: 'd', namespace: 'default', serviceAccount: 'late', netnsPath: podD.path }), '');
      const reply = request(m.fdA, podD.ip, 8080, 'early');
      await waitUntil('the certificate request for pod d', () => m.caB.waiting(lateId) > 0, 15_000);
      // The HBONE connection is accepted in pod d's netns while the certificate is still held.
      await waitUntil('an HBONE connection to pod d', () => podD.exec('ss', '-Htn', 'state', 'established', '( sport = :15008 )').trim() !== '', 15_000);
      release();
      const r = await reply;
      assert.equal(r.error, undefined);
      assert.equal(r.data, `${m.podA.ip}\nearly`);
    } finally {
      release();
      await m.agentB.del('uid-d');
      appD.close();
      closeFd(fdD);
    }
  });

  it('drains a pod on ZDS del: open connections are cut at the deadline, new ones find no listener', async () => {
    const { sock, got, closed } = await watchedConnection();
    try {
      sock.write('open');
      await waitUntil('echo before the del', () => got() === `${m.podA.ip}\nopen`, 15_000);
      assert.equal(await m.agentB.del(B_UID), '', 'del is acked once the drain finished');
      await waitUntil('the open connection is cut', closed, 15_000);
      assert.equal(m.ztB.workloads.get(B_UID), undefined);
      assert.equal((await request(m.fdA, m.podB.ip, 8080, 'after')).data, '', 'no listener, no app bytes');
    } finally {
      sock.destroy();
    }
  });
});
