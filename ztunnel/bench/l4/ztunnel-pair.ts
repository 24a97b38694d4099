// Our ztunnel pair, as processes of the production bundle (scripts/bundle.mjs, built for the run) in in-pod mode, the way they run on nodes:
//   generator --(socket made inside pod A's netns, captured by A's in-pod rules)--> ztunnel A :15001
//   --HBONE mTLS--> pod B :15008 (ztunnel B) --(client IP kept)--> app in pod B :8080
// Pods A and B are netns on a bridge with the in-pod rules (the ztunnel component tests' network); each ztunnel
// gets its pod from a fake node agent over ZDS, its state from a LOCAL_XDS_PATH file and its certificates from
// a fake CA over gRPC/TLS. Both ztunnels run in this (the node's) netns.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeFd, connectInNetns, openNetns } from '@mesh/common/net';
import { ProtoCodec } from '@mesh/common/proto';
import { FakeCaServer, buildTestBundle } from '@mesh/common/testing';
import { FakeZdsAgent } from '../../test/fake-zds-agent.test-util.ts';
import { TestNetwork } from '../../test/netns.test-util.ts';
import type { BenchPki } from './certs.ts';
import { cleanupStack, firstJsonLine, freePort, startChild } from './procs.ts';
import type { Child, ProxyPair } from './procs.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
/** What runs: the production bundle (scripts/bundle.mjs), built fresh for the run so it is never stale and removed
 * with the pair; L4_BENCH_ZTUNNEL_MAIN=<file> runs another entry point instead (e.g. ztunnel/src/main.ts). */
function ztunnelMain(): { file: string; remove(): void } {
  const chosen = process.env.L4_BENCH_ZTUNNEL_MAIN;
  if (chosen !== undefined && chosen !== '') return { file: path.resolve(chosen), remove: () => {} };
  return buildTestBundle('ztunnel', path.resolve(HERE, '../..'));
}
const APP = path.join(HERE, 'app-server.ts');
const APP_PORT = 8080;
const POD_A = '10.77.0.2';
const POD_B = '10.77.0.3';

/** Why the real pair cannot run here, or undefined when it can. */
export function ztunnelPairUnavailable(): string | undefined {
  if (process.env.L4_BENCH_ZTUNNEL === 'bench-only') return 'L4_BENCH_ZTUNNEL=bench-only';
  return undefined;
}

/** The two pods as LOCAL_XDS_PATH content, written as JSON (which is YAML): a ztunnel fed by istiod never loads
 * the YAML library, and neither does this one, so the figures are those of the production code path. */
function localConfig(): string {
  const pod = (name: string, sa: string, ip: string) => ({
    uid: `Kubernetes//Pod/bench/${name}`,
    name,
    namespace: 'bench',
    serviceAccount: sa,
    workloadIps: [ip],
    protocol: 'HBONE',
  });
  return `${JSON.stringify({ workloads: [pod('a', 'client', POD_A), pod('b', 'server', POD_B)] }, null, 2)}\n`;
}

async function waitReady(child: Child, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited (${child.proc.exitCode})\n${child.stderr()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms\n${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startZtunnelPair(dir: string, _pki: BenchPki, _appPort: number): Promise<ProxyPair> {
  const entry = ztunnelMain();
  const main = entry.file;
  const cleanups = cleanupStack();
  cleanups.push(() => entry.remove());
  const stop = cleanups.stop;
  try {
    const network = new TestNetwork('l4b');
    cleanups.push(() => network.destroy());
    const podA = network.addPod('a', POD_A, true);
    const podB = network.addPod('b', POD_B, true);
    const fdA = openNetns(podA.path);
    cleanups.push(() => closeFd(fdA));

    // The app in pod B (same program as the direct baseline's, bound on the pod's addresses).
    const app = startChild('app-b', 'ip', ['netns', 'exec', podB.name, process.execPath, APP], {
      env: { ...process.env, APP_HOST: '0.0.0.0', APP_PORT: String(APP_PORT) },
    });
    cleanups.push(() => app.stop());
    await firstJsonLine(app);

    const ca = await FakeCaServer.start();
    cleanups.push(() => ca.close());
    const rootFile = path.join(dir, 'zt-root-cert.pem');
    writeFileSync(rootFile, ca.rootCertPem);
    const tokenFile = path.join(dir, 'zt-istio-token');
    writeFileSync(tokenFile, 'bench-token\n');
    const stateFile = path.join(dir, 'zt-local.yaml');
    writeFileSync(stateFile, localConfig());

    const codec = ProtoCodec.load();
    const children: Child[] = [];
    const readyPorts: number[] = [];
    for (const [short, sa, pod] of [['a', 'client', podA], ['b', 'server', podB]] as const) {
      const agent = new FakeZdsAgent(path.join(dir, `zds-${short}.sock`), codec, [
        { uid: `uid-${short}`, name: short, namespace: 'bench', serviceAccount: sa, netnsPath: pod.path },
      ]);
      cleanups.push(() => agent.close());
      const readyPort = await freePort();
      readyPorts.push(readyPort);
      // L4_BENCH_ZTUNNEL_NODE_ARGS: extra node flags for both ztunnels (e.g. V8 heap sizing experiments).
      const nodeArgs = (process.env.L4_BENCH_ZTUNNEL_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const zt = startChild(`ztunnel-${short}`, process.execPath, [...nodeArgs, main], {
        env: {
          ...process.env,
          LOCAL_XDS_PATH: stateFile,
          XDS_ADDRESS: ca.url,
          CA_ADDRESS: ca.url,
          XDS_ROOT_CA: rootFile,
          CA_ROOT_CA: rootFile,
          TOKEN_PATH: tokenFile,
          INPOD_UDS: agent.path,
          NODE_NAME: `node-${short}`,
          POD_NAME: `ztunnel-${short}`,
          ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
          STATS_ADDR: `127.0.0.1:${await freePort()}`,
          READINESS_ADDR: `127.0.0.1:${readyPort}`,
          LOG_FORMAT: 'json',
        },
      });
      cleanups.push(() => zt.stop());
      children.push(zt);
    }
    await Promise.all(children.map((c, i) => waitReady(c, readyPorts[i] as number, 30_000)));
    const dial = () => connectInNetns({ netnsFd: fdA, host: POD_B, port: APP_PORT, allowHalfOpen: true, timeoutMs: 10_000 });
    // The first connection also fetches both pods' certificates: wait for one to go through end to end.
    const deadline = Date.now() + 60_000;
    let attempts = 0;
    for (;;) {
      attempts++;
      const ok = await dial().then(
        (s) => {
          let timer: NodeJS.Timeout | undefined;
          return new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), 5000);
            s.once('data', () => resolve(true));
            s.once('error', () => resolve(false));
            s.once('close', () => resolve(false));
            s.once('end', () => resolve(false)); // refused with a FIN: the socket is half-open, never 'close'
            s.write('E');
          }).finally(() => {
            clearTimeout(timer);
            s.destroy();
          });
        },
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) {
        throw new Error(`no echo through the ztunnel pair after ${attempts} attempts in 60 s\n${children.map((c) => `${c.name}: ${c.stderr()}`).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { label: `ztunnel pair (${path.relative(ROOT, main)}, in-pod mode, pod netns on a bridge)`, dial, children, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
