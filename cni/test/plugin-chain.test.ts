// The plugin as a real executable in a real chain: Debian's bridge + host-local, then ours (installed by the
// installer as a shim), run per the CNI spec inside a throwaway "node" netns against a pod netns.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { install } from '../src/install/installer.ts';
import type { CmdAddEvent } from '../src/event/cmdadd.ts';
import { runChain } from './cni-exec.test-util.ts';

const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
const NODE = `cnic-node-${id}`;
const POD = `cnic-pod-${id}`;
const dir = mkdtempSync(join(tmpdir(), 'cni-chain-'));
const netDir = join(dir, 'net.d');
const binDir = join(dir, 'bin');
const runDir = join(dir, 'run');
const events: CmdAddEvent[] = [];
let status = 200;
let agent: Server | undefined;
let added: Record<string, unknown> | undefined;

function conflist(cniVersion: string): Record<string, unknown> {
  const c = JSON.parse(readFileSync(join(netDir, '10-bridge.conflist'), 'utf8')) as Record<string, unknown>;
  return { ...c, cniVersion };
}

async function run(command: 'ADD' | 'DEL' | 'CHECK', cniVersion = '1.0.0', args = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=demo;K8S_POD_NAME=echo-1;K8S_POD_UID=uid-1') {
  const r = await runChain(NODE, conflist(cniVersion), {
    command,
    containerId: `c-${id}`,
    podNetnsPath: `/run/netns/${POD}`,
    ifName: 'eth0',
    cniArgs: args,
    cniPath: [binDir, '/usr/lib/cni'],
    ...(added ? { prevResult: added } : {}),
  });
  if (command === 'ADD' && r.code === 0) added = r.result;
  if (command === 'DEL') added = undefined;
  return r;
}

before(async () => {
  mkdirSync(netDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  execFileSync('ip', ['netns', 'add', NODE]);
  execFileSync('ip', ['netns', 'add', POD]);
  execFileSync('ip', ['netns', 'exec', NODE, 'ip', 'link', 'set', 'lo', 'up']);
  writeFileSync(
    join(netDir, '10-bridge.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'testnet',
      plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.250.7.0/24' }]], dataDir: join(dir, 'ipam') } }],
    }),
  );
  await install({ netDir, binDir, runDir, excludeNamespaces: ['kube-system'], logLevel: 'info' });
  agent = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/cmdadd') events.push(JSON.parse(body) as CmdAddEvent);
      res.writeHead(status).end(status === 200 ? 'ok' : 'pod refused: test');
    });
  });
  await new Promise<void>((r) => agent?.listen(join(runDir, 'pluginevent.sock'), r));
});

after(async () => {
  await new Promise<void>((r) => (agent ? agent.close(() => r()) : r()));
  for (const ns of [POD, NODE]) {
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('istio-cni chained after bridge + host-local', () => {
  it('ADD wires the pod, tells the agent and passes the result through', async () => {
    const r = await run('ADD');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const ips = (r.result?.['ips'] ?? []) as { address: string }[];
    assert.match(ips[0]?.address ?? '', /^10\.250\.7\.\d+\/24$/);
    assert.equal(r.result?.['cniVersion'], '1.0.0');
    assert.equal(events.length, 1);
    assert.deepEqual({ ...events[0], IPs: undefined }, { Netns: `/run/netns/${POD}`, PodName: 'echo-1', PodNamespace: 'demo', PodUID: 'uid-1', IPs: undefined });
    assert.equal(events[0]?.IPs[0]?.Address, ips[0]?.address);
    assert.equal(events[0]?.IPs[0]?.Gateway, '10.250.7.1');
    const addr = execFileSync('ip', ['netns', 'exec', POD, 'ip', '-o', '-4', 'addr', 'show', 'eth0'], { encoding: 'utf8' });
    assert.ok(addr.includes(ips[0]?.address ?? '?'));
  });

  it('CHECK and DEL succeed', async () => {
    assert.equal((await run('CHECK')).code, 0);
    const r = await run('DEL');
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('a 0.3.1 chain gets a 0.3.1 result', async () => {
    const r = await run('ADD', '0.3.1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.result?.['cniVersion'], '0.3.1');
    assert.equal((r.result?.['ips'] as { version: string }[])[0]?.version, '4');
    assert.equal((await run('DEL', '0.3.1')).code, 0);
  });

  it('the agent refusing the pod fails ADD with a CNI error', async () => {
    status = 500;
    try {
      const r = await run('ADD');
      assert.equal(r.code, 1);
      const e = JSON.parse(r.stdout) as { code: number; msg: string; details: string };
      assert.equal(e.code, 100);
      assert.match(e.msg, /refused pod demo\/echo-1: HTTP 500/);
      assert.equal(e.details, 'pod refused: test');
    } finally {
      status = 200;
      await run('DEL');
    }
  });

  it('a bad plugin config is a CNI error naming the field', async () => {
    const path = join(netDir, '10-bridge.conflist');
    const good = readFileSync(path, 'utf8');
    const c = JSON.parse(good) as { plugins: Record<string, unknown>[] };
    const ours = c.plugins.at(-1);
    if (ours) ours['exclude_namespaces'] = 'kube-system';
    writeFileSync(path, JSON.stringify(c));
    try {
      const r = await run('ADD');
      assert.equal(r.code, 1);
      const e = JSON.parse(r.stdout) as { code: number; msg: string };
      assert.equal(e.code, 7);
      assert.match(e.msg, /field "exclude_namespaces"/);
    } finally {
      writeFileSync(path, good);
      await run('DEL');
    }
  });
});
