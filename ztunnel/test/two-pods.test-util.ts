// The two-pod mesh the component tests share: pods A (sa sleep) and B (sa echo, app on 8080, service VIP
// 10.96.0.10:80) enrolled with in-pod rules, an outsider pod C without capture, one ztunnel per pod.
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeFd, openNetns } from '@mesh/common/net';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { FakeXdsServer, waitUntil } from '@mesh/common/testing';
import { CertificateAuthority } from '@mesh/common/ca';
import type { Ztunnel } from '../src/app.ts';
import { FakeZdsAgent } from './fake-zds-agent.test-util.ts';
import { LogSink, holdableCa, inProcessCa, startEchoApp, startTestZtunnel, workload } from './mesh.test-util.ts';
import type { HeldCa } from './mesh.test-util.ts';
import { TestNetwork } from './netns.test-util.ts';
import type { TestPod } from './netns.test-util.ts';

export const SVC = 'default/echo.default.svc.cluster.local';
export const A_UID = 'uid-a';
export const B_UID = 'uid-b';
export const SLEEP_ID = 'spiffe://cluster.local/ns/default/sa/sleep';
export const ECHO_ID = 'spiffe://cluster.local/ns/default/sa/echo';

export interface TwoPods {
  readonly codec: ProtoCodec;
  readonly ca: CertificateAuthority;
  readonly podA: TestPod;
  readonly podB: TestPod;
  readonly outsider: TestPod;
  readonly fdA: number;
  readonly fdB: number;
  readonly fdC: number;
  readonly xds: FakeXdsServer;
  readonly agentA: FakeZdsAgent;
  readonly agentB: FakeZdsAgent;
  readonly ztA: Ztunnel;
  readonly ztB: Ztunnel;
  readonly logA: LogSink;
  readonly logB: LogSink;
  readonly app: net.Server;
  /** The network, for pods added by a test. */
  readonly network: TestNetwork;
  /** ztunnel B's CA client: a test can hold an identity's certificate. */
  readonly caB: HeldCa;
  close(): Promise<void>;
}

/** Builds the mesh; on failure everything made so far is removed before rethrowing. */
export async function startTwoPods(prefix: string): Promise<TwoPods> {
  const cleanups: (() => unknown)[] = [];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // Keep cleaning.
      }
    }
  };
  try {
    const codec = ProtoCodec.load();
    const dir = mkdtempSync(join(tmpdir(), 'zt-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const net0 = new TestNetwork(prefix);
    cleanups.push(() => net0.destroy());
    const podA = net0.addPod('a', '10.77.0.2', true);
    const podB = net0.addPod('b', '10.77.0.3', true);
    const outsider = net0.addPod('c', '10.77.0.4', false);
    const [fdA, fdB, fdC] = [podA, podB, outsider].map((p) => openNetns(p.path)) as [number, number, number];
    cleanups.push(() => [fdA, fdB, fdC].forEach((fd) => closeFd(fd)));
    const app = await startEchoApp(fdB, 8080);
    cleanups.push(() => app.close());

    const xds = await FakeXdsServer.start();
    cleanups.push(() => xds.close());
    xds.store.upsert(TYPE_URL.ADDRESS, 'Kubernetes//Pod/default/a', workload(codec, { uid: 'Kubernetes//Pod/default/a', name: 'a', sa: 'sleep', ip: podA.ip }));
    xds.store.upsert(TYPE_URL.ADDRESS, 'Kubernetes//Pod/default/b', workload(codec, { uid: 'Kubernetes//Pod/default/b', name: 'b', sa: 'echo', ip: podB.ip, services: { [SVC]: { ports: [{ service_port: 80, target_port: 8080 }] } } }));
    xds.store.upsert(TYPE_URL.ADDRESS, SVC, {
      version: '1',
      resource: codec.pack('istio.workload.Address', { service: { name: 'echo', namespace: 'default', hostname: 'echo.default.svc.cluster.local', addresses: [{ network: '', address: Buffer.from([10, 96, 0, 10]) }], ports: [{ service_port: 80, target_port: 8080 }] } }),
    });

    const ca = await CertificateAuthority.generate();
    const agentA = new FakeZdsAgent(join(dir, 'a.sock'), codec, [{ uid: A_UID, name: 'a', namespace: 'default', serviceAccount: 'sleep', netnsPath: podA.path }]);
    cleanups.push(() => agentA.close());
    const agentB = new FakeZdsAgent(join(dir, 'b.sock'), codec, [{ uid: B_UID, name: 'b', namespace: 'default', serviceAccount: 'echo', netnsPath: podB.path }]);
    cleanups.push(() => agentB.close());
    const logA = new LogSink();
    const logB = new LogSink();
    const ztA = await startTestZtunnel({ xdsAddress: xds.address, zdsPath: agentA.path, ca: inProcessCa(ca), log: logA, node: 'node-a' });
    cleanups.push(() => ztA.close());
    const caB = holdableCa(inProcessCa(ca));
    const ztB = await startTestZtunnel({ xdsAddress: xds.address, zdsPath: agentB.path, ca: caB, log: logB, node: 'node-b' });
    cleanups.push(() => ztB.close());
    await waitUntil('both ztunnels ready', () => ztA.readiness.isReady() && ztB.readiness.isReady(), 30_000);
    await waitUntil('both certificates', () => ztA.certs.current(SLEEP_ID) !== undefined && ztB.certs.current(ECHO_ID) !== undefined, 30_000);
    return { codec, ca, podA, podB, outsider, fdA, fdB, fdC, xds, agentA, agentB, ztA, ztB, logA, logB, app, network: net0, caB, close };
  } catch (err) {
    await close();
    throw err;
  }
}
