// The node agent as a process: env config, /readyz, SIGTERM → exit 0; a missing NODE_NAME is a clear error.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildTestBundle, startLocalApiServer } from '@mesh/common/testing';
import type { LocalApiServer } from '@mesh/common/testing';

const MAIN = fileURLToPath(new URL('../src/agent/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cni-main-'));
let api: LocalApiServer | undefined;
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>, entry = MAIN): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

before(async () => {
  api = await startLocalApiServer();
  mkdirSync(join(dir, 'net.d'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cni node agent process', () => {
  const startsAndStops = async (entry: string, label: string) => {
    const port = await freePort();
    const p = run({
      KUBECONFIG: api?.kubeconfigPath ?? '',
      NODE_NAME: `node-main-${label}`,
      ZTUNNEL_UDS: join(dir, 'zt', 'ztunnel.sock'),
      CNI_AGENT_RUN_DIR: join(dir, `run-${label}`),
      CNI_NET_DIR: join(dir, 'net.d'),
      CNI_BIN_DIR: join(dir, `bin-${label}`),
      AGENT_READY_ADDR: `127.0.0.1:${port}`,
      HOST_PROBE_SNAT: 'false',
      LOG_FORMAT: 'json',
    }, entry);
    let ready = 0;
    const deadline = Date.now() + 30_000;
    while (ready !== 200 && p.child.exitCode === null && Date.now() < deadline) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ready, 200, p.output());
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, p.output());
    assert.match(p.output(), /"msg":"node agent ready"/);
  };

  it('starts from env, serves /readyz and exits 0 on SIGTERM', () => startsAndStops(MAIN, 'sources'));

  // As it ships: the bundle scripts/bundle.mjs makes, built beside the package so its npm imports resolve.
  it('does the same from its bundle', async () => {
    const bundle = buildTestBundle('cni-agent', fileURLToPath(new URL('..', import.meta.url)));
    try {
      await startsAndStops(bundle.file, 'bundle');
    } finally {
      bundle.remove();
    }
  });

  it('refuses to start without NODE_NAME, naming the variable', async () => {
    const p = run({ KUBECONFIG: api?.kubeconfigPath ?? '', AGENT_READY_ADDR: 'nonsense' });
    assert.equal(await p.exited, 2);
    assert.match(p.output(), /NODE_NAME is required/);
    assert.match(p.output(), /AGENT_READY_ADDR/);
  });
});
