// ztunnel as a process and as a control-plane client: the entry point serves readiness, admin and metrics
// and exits 0 on SIGTERM; the xDS feed NACKs a bad resource by name while applying and keeping good ones.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { FakeXdsServer, buildTestBundle, waitUntil } from '@mesh/common/testing';
import { CertificateAuthority } from '@mesh/common/ca';
import { LogSink, inProcessCa, startTestZtunnel, workload } from './mesh.test-util.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('ztunnel process', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-proc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const servesAndExits = async (entry: string, label: string) => {
    const file = join(dir, `local-${label}.yaml`);
    writeFileSync(file, 'workloads:\n  - uid: w1\n    name: w1\n    namespace: default\n    workloadIps: [10.1.0.1]\n');
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, LOCAL_XDS_PATH: file, INPOD_ENABLED: 'false', ADMIN_ADDR: '127.0.0.1:0', STATS_ADDR: '127.0.0.1:0', READINESS_ADDR: '127.0.0.1:0', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitUntil('ztunnel started', () => out.includes('ztunnel started'), 60_000);
      const started = JSON.parse(out.split('\n').find((l) => l.includes('ztunnel started')) as string) as Record<string, { port: number }>;
      const ready = await fetch(`http://127.0.0.1:${started.readiness?.port}/healthz/ready`);
      assert.equal(ready.status, 200);
      const dump = (await (await fetch(`http://127.0.0.1:${started.admin?.port}/config_dump`)).json()) as { workloads: { uid: string }[] };
      assert.deepEqual(dump.workloads.map((w) => w.uid), ['w1']);
      const metrics = await fetch(`http://127.0.0.1:${started.stats?.port}/metrics`);
      assert.equal(metrics.status, 200);
      // Once ready it hands back its start-up pages, through the native addon found via @mesh/common's folder.
      await waitUntil('start-up pages released', () => out.includes('released start-up pages'), 30_000);
      assert.doesNotMatch(out, /start-up pages kept/);
      // And the heap start-up left behind: a memory-reducing collection and malloc_trim (V8's gc() without --expose-gc).
      await waitUntil('start-up memory reclaimed', () => out.includes('memory reclaimed'), 30_000);
      const reclaimed = JSON.parse(out.split('\n').find((l) => l.includes('memory reclaimed')) as string) as { heapBeforeMb: number; heapAfterMb: number };
      assert.ok(reclaimed.heapAfterMb <= reclaimed.heapBeforeMb, JSON.stringify(reclaimed));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
    } finally {
      child.kill('SIGKILL');
    }
  };

  it('serves readiness, config_dump and metrics from a local config, and exits 0 on SIGTERM', () => servesAndExits(MAIN, 'sources'));

  // The shipped form (scripts/bundle.mjs): one JavaScript file with common bundled in. Built beside the package so
  // the npm packages it imports resolve as they do in production.
  it('does the same as the bundle scripts/bundle.mjs builds', async () => {
    const bundle = buildTestBundle('ztunnel', PACKAGE_DIR);
    try {
      await servesAndExits(bundle.file, 'bundle');
    } finally {
      bundle.remove();
    }
  });

  it('refuses a bad environment with a message naming the variable', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, XDS_ADDRESS: 'ftp://nope', LOG_FORMAT: 'yaml' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /LOG_FORMAT/);
  });
});

describe('ztunnel xDS feed', { timeout: 60_000 }, () => {
  it('NACKs a bad resource by name, applies the good ones and keeps the last good state', async () => {
    const codec = ProtoCodec.load();
    const xds = await FakeXdsServer.start();
    const log = new LogSink();
    const zt = await startTestZtunnel({ xdsAddress: xds.address, zdsPath: '/nonexistent/zds.sock', ca: inProcessCa(await CertificateAuthority.generate()), log, node: 'n' });
    try {
      xds.store.upsert(TYPE_URL.ADDRESS, 'good', workload(codec, { uid: 'good', name: 'good', sa: 's', ip: '10.1.0.1' }));
      await waitUntil('good workload', () => zt.state.workloadByUid('good') !== undefined, 20_000);
      xds.store.upsert(TYPE_URL.ADDRESS, 'bad', { version: '2', resource: codec.pack('istio.workload.Address', { workload: { uid: 'bad', addresses: [Buffer.from([1, 2, 3])] } }) });
      xds.store.upsert(TYPE_URL.ADDRESS, 'good2', workload(codec, { uid: 'good2', name: 'good2', sa: 's', ip: '10.1.0.2' }));
      await waitUntil('second good workload', () => zt.state.workloadByUid('good2') !== undefined, 20_000);
      assert.equal(zt.state.workloadByUid('bad'), undefined);
      assert.equal(zt.state.workloadByIp('', '10.1.0.1')?.uid, 'good');
      assert.equal(zt.readiness.pending().includes('xds'), false, 'xDS readiness is done');
      assert.ok(zt.readiness.pending().includes('zds snapshot'), 'not ready without the node agent');
      xds.close();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(zt.state.workloadByUid('good')?.uid, 'good', 'an outage keeps the last good state');
    } finally {
      await zt.close();
      xds.close();
    }
  });
});
