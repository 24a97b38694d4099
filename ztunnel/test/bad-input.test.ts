// Bad input is refused with a clear reason and disturbs nothing else: malformed CONNECTs, peers of another
// trust domain, certificates from an unknown CA or expired, ZDS messages that do not decode, fds that are not
// a netns.
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import http2 from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { connectInNetns } from '@mesh/common/net';
import { waitUntil } from '@mesh/common/testing';
import { CertificateAuthority } from '@mesh/common/ca';
import { createCsr, hboneClientOptions } from '@mesh/common/tls';
import type { MtlsMaterial } from '@mesh/common/tls';
import { FakeZdsAgent } from './fake-zds-agent.test-util.ts';
import { request } from './mesh.test-util.ts';
import { A_UID, ECHO_ID, startTwoPods } from './two-pods.test-util.ts';
import type { TwoPods } from './two-pods.test-util.ts';

async function material(ca: CertificateAuthority, identity: string, roots: string, validity?: { notBefore: Date; notAfter: Date }): Promise<MtlsMaterial> {
  const csr = await createCsr(identity);
  const chain = await ca.sign(csr.csrPem, validity ? { validityOverride: validity } : {});
  return { keyPem: csr.keyPem, certChain: chain.slice(0, -1), roots };
}

/** An HBONE session from the outsider pod (no capture) straight to pod B's 15008. */
async function session(m: TwoPods, mat: MtlsMaterial): Promise<ClientHttp2Session> {
  const tcp = await connectInNetns({ netnsFd: m.fdC, host: m.podB.ip, port: 15008 });
  const sock = tls.connect({ ...hboneClientOptions(mat, { expectedIdentities: [ECHO_ID] }), socket: tcp });
  const s = http2.connect('https://hbone', { createConnection: () => sock });
  s.on('error', () => {});
  return s;
}

/** Sends one request; resolves with the status, or the error text when the session failed. */
function status(s: ClientHttp2Session, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 15_000);
    let req;
    try {
      req = s.request(headers, { endStream: false });
    } catch (err) {
      clearTimeout(timer);
      resolve((err as Error).message);
      return;
    }
    req.on('response', (h) => {
      clearTimeout(timer);
      resolve(Number(h[':status']));
      req.close();
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    req.on('close', () => {
      clearTimeout(timer);
      resolve(`closed (code ${req.rstCode})`);
    });
  });
}

describe('ztunnel refuses bad input', { timeout: 170_000 }, () => {
  let m: TwoPods;
  const sessions: ClientHttp2Session[] = [];
  before(async () => {
    m = await startTwoPods('ztb');
  });
  after(async () => {
    for (const s of sessions) s.destroy();
    await m?.close();
  });

  const open = async (mat: MtlsMaterial) => {
    const s = await session(m, mat);
    sessions.push(s);
    return s;
  };

  it('answers 400 for a wrong method or an authority that is not the pod, 503 for a proxy port', async () => {
    const s = await open(await material(m.ca, 'spiffe://cluster.local/ns/default/sa/tester', m.ca.rootCertPem));
    assert.equal(await status(s, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:8080` }), 200, 'a good CONNECT works');
    assert.equal(await status(s, { ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': `${m.podB.ip}:8080` }), 400);
    assert.equal(await status(s, { ':method': 'CONNECT', ':authority': `${m.podA.ip}:8080` }), 400);
    assert.equal(await status(s, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:15008` }), 503);
    assert.equal(await status(s, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:15001` }), 503);
    assert.ok(m.logB.lines.some((l) => typeof l.msg === 'string' && l.msg.includes("is not this pod's address")));
    assert.ok(m.logB.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('self-call')));
  });

  it('drops a peer of another trust domain (IDENTITY_ERROR)', async () => {
    const s = await open(await material(m.ca, 'spiffe://evil.example/ns/default/sa/x', m.ca.rootCertPem));
    const got = await status(s, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:8080` });
    assert.notEqual(got, 200);
    await waitUntil('trust domain refusal logged', () => m.logB.lines.some((l) => l.flag === 'IDENTITY_ERROR' && String(l.msg).includes('evil.example')), 10_000);
  });

  it('drops a certificate from an unknown CA and an expired one (TLS_FAILURE)', async () => {
    const other = await CertificateAuthority.generate();
    const s1 = await open(await material(other, 'spiffe://cluster.local/ns/default/sa/x', m.ca.rootCertPem));
    assert.notEqual(await status(s1, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:8080` }), 200);
    const past = { notBefore: new Date(Date.now() - 2 * 3600_000), notAfter: new Date(Date.now() - 3600_000) };
    const s2 = await open(await material(m.ca, 'spiffe://cluster.local/ns/default/sa/x', m.ca.rootCertPem, past));
    assert.notEqual(await status(s2, { ':method': 'CONNECT', ':authority': `${m.podB.ip}:8080` }), 200);
    await waitUntil('TLS refusals logged', () => m.logB.lines.filter((l) => l.flag === 'TLS_FAILURE').length >= 2, 10_000);
  });

  it('acks undecodable ZDS messages and non-netns fds with an error and keeps serving', async () => {
    assert.match(await m.agentA.sendRaw(Buffer.from([0x0a, 0xff])), /does not decode/);
    const fd = openSync('/proc/self/status', 'r');
    try {
      const ack = await m.agentA.sendRaw(
        m.codec.encode('istio.workload.zds.WorkloadRequest', { add: { uid: 'uid-x', workload_info: { name: 'x', namespace: 'default', service_account: 'x' } } }),
        [fd],
      );
      assert.match(ack, /not a network namespace/);
    } finally {
      closeSync(fd);
    }
    const noFd = await m.agentA.sendRaw(m.codec.encode('istio.workload.zds.WorkloadRequest', { add: { uid: 'uid-y', workload_info: { name: 'y', namespace: 'default', service_account: 'y' } } }));
    assert.match(noFd, /exactly one netns fd, got 0/);
    assert.ok(m.ztA.workloads.get(A_UID), 'the enrolled pod is untouched');
    assert.equal((await request(m.fdA, m.podB.ip, 8080, 'still')).data, `${m.podA.ip}\nstill`);
  });

  it('adds and drains a pod on ZDS add/del', async () => {
    assert.equal(await m.agentA.add({ uid: 'uid-c', name: 'c', namespace: 'default', serviceAccount: 'c', netnsPath: m.outsider.path }), '');
    assert.ok(m.ztA.workloads.get('uid-c'));
    await waitUntil('certificate for the new pod', () => m.ztA.certs.current('spiffe://cluster.local/ns/default/sa/c') !== undefined, 15_000);
    assert.match(await m.ztA.metrics.metrics(), /istio_active_proxy_count 2/);
    assert.equal(await m.agentA.del('uid-c'), '');
    assert.match(await m.ztA.metrics.metrics(), /istio_active_proxy_count 1/);
    assert.equal(m.ztA.workloads.get('uid-c'), undefined);
    assert.equal(m.ztA.certs.current('spiffe://cluster.local/ns/default/sa/c'), undefined, 'the identity is released');
    assert.equal(m.outsider.exec('ss', '-Htln').trim(), '', 'no listener is left in the pod netns');
  });

  it('is not ready while the node agent is away, and takes the pods back from its next snapshot', async () => {
    // A connection open across the agent's restart: the re-sent pod (same netns) keeps its proxies, so it lives on.
    const open = await connectInNetns({ netnsFd: m.fdA, host: m.podB.ip, port: 8080, allowHalfOpen: true });
    let echoed = '';
    open.setEncoding('utf8');
    open.on('data', (d: string) => (echoed += d));
    open.on('error', () => {});
    open.write('before');
    await waitUntil('echo before the restart', () => echoed === `${m.podA.ip}\nbefore`, 15_000);
    m.agentA.close();
    await waitUntil('not ready without the node agent', () => m.ztA.readiness.pending().includes('zds snapshot'), 15_000);
    const again = new FakeZdsAgent(m.agentA.path, m.codec, [{ uid: A_UID, name: 'a', namespace: 'default', serviceAccount: 'sleep', netnsPath: m.podA.path }]);
    try {
      await waitUntil('ready again after the new snapshot', () => m.ztA.readiness.isReady(), 30_000);
      await waitUntil('add and snapshot_sent acked', () => again.acks.length === 2, 15_000);
      assert.deepEqual(again.acks, ['', '']);
      assert.equal((await request(m.fdA, m.podB.ip, 8080, 'back')).data, `${m.podA.ip}\nback`);
      assert.ok(m.logA.lines.some((l) => l.msg === 'pod proxies kept'), 'the re-sent pod was kept, not restarted');
      open.write('after');
      await waitUntil('the open connection still echoes', () => echoed.endsWith('after'), 15_000);
    } finally {
      open.destroy();
      again.close();
    }
  });
});
