// istiod as a process (src/main.ts), as the local cluster and the charts run it: env config, /ready once synced,
// exit 0 on SIGTERM; a bad variable stops it at once with a message naming it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startLocalApiServer, waitUntil } from '@mesh/common/testing';
import type { LocalApiServer } from '@mesh/common/testing';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const WAIT_MS = 30_000;

let api: LocalApiServer;
const children: ChildProcess[] = [];

before(async () => {
  api = await startLocalApiServer();
  // istiod's namespace exists before istiod starts (the chart creates it); the CA keeps its root there.
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'istio-system' } } });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await api?.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('istiod becomes ready, serves /metrics, and exits 0 on SIGTERM', async () => {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const proc = run({
    KUBECONFIG: api.kubeconfigPath,
    ISTIOD_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
    ISTIOD_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    LOG_LEVEL: 'info',
  });
  let status = 0;
  const deadline = Date.now() + WAIT_MS;
  while (status !== 200 && Date.now() < deadline && proc.child.exitCode === null) {
    status = await fetch(`http://127.0.0.1:${httpPort}/ready`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 200, proc.output());
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  assert.match(metrics, /^pilot_xds 0$/m);
  proc.child.kill('SIGTERM');
  const code = await Promise.race([proc.exited, new Promise<string>((r) => setTimeout(() => r('still running'), WAIT_MS))]);
  assert.equal(code, 0, proc.output());
  assert.match(proc.output(), /istiod stopped/);
});

test('a bad variable stops istiod at start with a message naming it', async () => {
  const proc = run({ KUBECONFIG: api.kubeconfigPath, ISTIOD_GRPC_ADDR: 'not-an-address' });
  const code = await Promise.race([proc.exited, new Promise<string>((r) => setTimeout(() => r('still running'), WAIT_MS))]);
  assert.equal(code, 1);
  await waitUntil('the message', () => /ISTIOD_GRPC_ADDR/.test(proc.output()), 5_000);
});
