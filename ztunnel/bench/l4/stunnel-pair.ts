// The baseline tunnel: two Debian stunnel instances (client and server) doing the same mutual TLS 1.3 hop
// as HBONE (same ciphers and curves, client certificate required and verified against the test CA).
// Default topology = the ztunnel pair's: two pod netns on a bridge (no capture rules), the generator's socket
// made inside pod C, the stunnel client in C, the stunnel server and its own app in pod D:
//   generator -> C 127.0.0.1:15100 (stunnel client) -> mTLS over the veth/bridge -> D :15443 (stunnel server)
//   -> D 127.0.0.1:8080 (app)
// L4_BENCH_STUNNEL=loopback runs both instances on loopback in this netns against the direct baseline's app.
// L4_BENCH_STUNNEL=inpod also installs the in-pod capture rules in both pods (the server listens on 15008, which
// the rules leave alone, and the client's hop to it is let through): the cost of the rules alone, for comparison.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeFd, connectInNetns, openNetns } from '@mesh/common/net';
import { TestNetwork } from '../../test/netns.test-util.ts';
import type { BenchPki } from './certs.ts';
import { cleanupStack, firstJsonLine, freePort, loopbackDial, startChild } from './procs.ts';
import type { Child, ProxyPair } from './procs.ts';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app-server.ts');
const POD_C = '10.78.0.2';
const POD_D = '10.78.0.3';
const CLIENT_PORT = 15100;
const SERVER_PORT = 15443;
const INPOD_SERVER_PORT = 15008;
const APP_PORT = 8080;

const TLS_OPTS = [
  'sslVersionMin = TLSv1.3',
  'sslVersionMax = TLSv1.3',
  'ciphersuites = TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
  'curves = P-256:P-384',
  'verifyChain = yes',
  // Like our proxies: no TCP wrappers lookup per connection, Nagle off on both sides.
  'libwrap = no',
  'socket = l:TCP_NODELAY=1',
  'socket = r:TCP_NODELAY=1',
];

interface Ends {
  clientAccept: string;
  serverAccept: string;
  serverConnect: string;
}

function writeConfs(dir: string, pki: BenchPki, ends: Ends): { serverConf: string; clientConf: string } {
  const global = (name: string) => ['foreground = yes', 'pid =', 'debug = 3', `output = ${path.join(dir, `${name}.log`)}`];
  const serverConf = path.join(dir, 'stunnel-server.conf');
  writeFileSync(
    serverConf,
    [
      ...global('stunnel-server'),
      '[mesh]',
      `accept = ${ends.serverAccept}`,
      `connect = ${ends.serverConnect}`,
      `cert = ${pki.server.certFile}`,
      `key = ${pki.server.keyFile}`,
      `CAfile = ${pki.rootFile}`,
      'requireCert = yes',
      ...TLS_OPTS,
      '',
    ].join('\n'),
  );
  const clientConf = path.join(dir, 'stunnel-client.conf');
  writeFileSync(
    clientConf,
    [
      ...global('stunnel-client'),
      '[mesh]',
      'client = yes',
      `accept = ${ends.clientAccept}`,
      `connect = ${ends.serverAccept}`,
      `cert = ${pki.client.certFile}`,
      `key = ${pki.client.keyFile}`,
      `CAfile = ${pki.rootFile}`,
      ...TLS_OPTS,
      '',
    ].join('\n'),
  );
  return { serverConf, clientConf };
}

/** Resolves once `dial` connects (bounded wait; fails early if the child exited). */
async function waitDialable(dial: () => Promise<{ destroy(): void }>, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await dial().then(
      (s) => {
        s.destroy();
        return true;
      },
      () => false,
    );
    if (ok) return;
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited (${child.proc.exitCode})\n${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`${child.name} not accepting after ${timeoutMs} ms\n${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where the pair runs: see the top of this file. */
export type StunnelMode = 'pods' | 'inpod' | 'loopback';

/** The mode L4_BENCH_STUNNEL asks for ('pods' when unset). */
export function stunnelModeFromEnv(): StunnelMode {
  const mode = process.env.L4_BENCH_STUNNEL;
  return mode === 'loopback' || mode === 'inpod' ? mode : 'pods';
}

export async function startStunnelPair(dir: string, pki: BenchPki, appPort: number, mode: StunnelMode = stunnelModeFromEnv()): Promise<ProxyPair> {
  return mode === 'loopback' ? startOnLoopback(dir, pki, appPort) : startInPods(dir, pki, mode === 'inpod');
}

async function startOnLoopback(dir: string, pki: BenchPki, appPort: number): Promise<ProxyPair> {
  const clientPort = await freePort();
  const serverPort = await freePort();
  const { serverConf, clientConf } = writeConfs(dir, pki, {
    clientAccept: `127.0.0.1:${clientPort}`,
    serverAccept: `127.0.0.1:${serverPort}`,
    serverConnect: `127.0.0.1:${appPort}`,
  });
  const server = startChild('stunnel-server', 'stunnel', [serverConf]);
  const client = startChild('stunnel-client', 'stunnel', [clientConf]);
  const pair: ProxyPair = {
    label: 'stunnel pair on loopback',
    dial: loopbackDial(clientPort),
    children: [client, server],
    stop: async () => {
      await Promise.all([client.stop(), server.stop()]);
    },
  };
  try {
    await waitDialable(loopbackDial(serverPort), server, 15_000);
    await waitDialable(pair.dial, client, 15_000);
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return pair;
}

async function startInPods(dir: string, pki: BenchPki, withRules: boolean): Promise<ProxyPair> {
  const cleanups = cleanupStack();
  const stop = cleanups.stop;
  try {
    const network = new TestNetwork('l4s');
    cleanups.push(() => network.destroy());
    const podC = network.addPod('c', POD_C, withRules);
    const podD = network.addPod('d', POD_D, withRules);
    const serverPort = withRules ? INPOD_SERVER_PORT : SERVER_PORT;
    // stunnel cannot set SO_MARK, so its hop to the server is exempted from the outbound redirect by address.
    if (withRules) podC.exec('iptables', '-t', 'nat', '-I', 'ISTIO_OUTPUT', '1', '-p', 'tcp', '-d', POD_D, '--dport', String(serverPort), '-j', 'ACCEPT');
    const fdC = openNetns(podC.path);
    cleanups.push(() => closeFd(fdC));
    const fdD = openNetns(podD.path);
    cleanups.push(() => closeFd(fdD));
    const app = startChild('app-d', 'ip', ['netns', 'exec', podD.name, process.execPath, APP], {
      env: { ...process.env, APP_HOST: '127.0.0.1', APP_PORT: String(APP_PORT) },
    });
    cleanups.push(() => app.stop());
    await firstJsonLine(app);
    const { serverConf, clientConf } = writeConfs(dir, pki, {
      clientAccept: `127.0.0.1:${CLIENT_PORT}`,
      serverAccept: `${POD_D}:${serverPort}`,
      serverConnect: `127.0.0.1:${APP_PORT}`,
    });
    // `ip netns exec` execs stunnel in place: the child pid is stunnel's own.
    const server = startChild('stunnel-server', 'ip', ['netns', 'exec', podD.name, 'stunnel', serverConf]);
    cleanups.push(() => server.stop());
    const client = startChild('stunnel-client', 'ip', ['netns', 'exec', podC.name, 'stunnel', clientConf]);
    cleanups.push(() => client.stop());
    const dial = () => connectInNetns({ netnsFd: fdC, host: '127.0.0.1', port: CLIENT_PORT, allowHalfOpen: true, timeoutMs: 10_000 });
    await waitDialable(() => connectInNetns({ netnsFd: fdD, host: POD_D, port: serverPort, timeoutMs: 2000 }), server, 15_000);
    await waitDialable(dial, client, 15_000);
    const label = `stunnel pair (pod netns on a bridge, like the ztunnel pair${withRules ? ', with the in-pod rules' : ''})`;
    return { label, dial, children: [client, server], stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
