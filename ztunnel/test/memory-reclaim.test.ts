// ztunnel gives memory back once ready, and again after an idle spell that follows heap growth: a reclaim and a
// release of the node binary's pages each time, as its log reports them. This file runs in its own process, so
// the heap it grows (the ztunnel runs in it) is its own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CertificateAuthority } from '@mesh/common/ca';
import { promoteGarbage } from '@mesh/common/testing';
import { startZtunnel } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { LogSink, inProcessCa } from './mesh.test-util.ts';

/** Waits for `condition`, polling every 100 ms so the event loop stays idle meanwhile (bounded: 30 s). */
async function waitIdly(what: string, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('ztunnel reclaims memory and releases pages once ready, and again when idle after the heap grew', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-reclaim-'));
  const file = join(dir, 'local.yaml');
  writeFileSync(file, 'workloads: []\n');
  const log = new LogSink();
  const { config } = loadConfig({
    LOCAL_XDS_PATH: file,
    INPOD_ENABLED: 'false',
    TOKEN_PATH: '/nonexistent/istio-token',
    ADMIN_ADDR: '127.0.0.1:0',
    STATS_ADDR: '127.0.0.1:0',
    READINESS_ADDR: '127.0.0.1:0',
    NODE_NAME: 'n',
    MEMORY_RECLAIM_INTERVAL: '100ms',
  });
  const zt = await startZtunnel(config, { ca: inProcessCa(await CertificateAuthority.generate()), log: log.root() });
  const logged = (msg: string) => log.lines.filter((l) => l.msg === msg);
  try {
    await waitIdly('the start-up reclaim and release', () => logged('memory reclaimed').length >= 1 && logged('released start-up pages of the node binary').length === 1);
    const before = logged('memory reclaimed').length;
    const releasesBefore = logged('released idle pages of the node binary').length;
    assert.ok(promoteGarbage(48) > 0);
    await waitIdly('an idle reclaim and release', () => logged('memory reclaimed').length > before && logged('released idle pages of the node binary').length > releasesBefore);
    const idle = logged('memory reclaimed')[before] as { heapBeforeMb: number; heapAfterMb: number; rssBeforeMb: number; rssAfterMb: number };
    assert.ok(idle.heapBeforeMb - idle.heapAfterMb > 16, JSON.stringify(idle));
    assert.ok(idle.rssAfterMb < idle.rssBeforeMb, JSON.stringify(idle));
  } finally {
    await zt.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
