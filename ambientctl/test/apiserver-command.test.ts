// `ambientctl local apiserver` as a process: serves, writes <data-dir>/kubeconfig, exits cleanly on SIGTERM.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { waitFor } from './apiserver-helpers.ts';

const BIN = new URL('../bin/ambientctl.js', import.meta.url).pathname;

describe('ambientctl local apiserver', () => {
  it('serves with the kubeconfig it writes and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiserver-cmd-'));
    const child = spawn(process.execPath, [BIN, 'local', 'apiserver', '--port', '0', '--data-dir', join(dir, 'data'), '--persist'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the server to start', () => /serving on https:\/\/127\.0\.0\.1:\d+/.test(out), 20_000);
      const kubeconfig = join(dir, 'data', 'kubeconfig');
      assert.ok(existsSync(kubeconfig));
      const kc = new KubeConfig();
      kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
      const core = kc.makeApiClient(CoreV1Api);
      const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
      assert.ok(names.includes('default'));
      await core.createNamespace({ body: { metadata: { name: 'from-cli' } } });
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      assert.match(out, /SIGTERM, shutting down/);
      assert.match(readFileSync(join(dir, 'data', 'objects.json'), 'utf8'), /"from-cli"/, 'objects were saved on the way out');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad port with a message naming it', async () => {
    const child = spawn(process.execPath, [BIN, 'local', 'apiserver', '--port', 'http', '--data-dir', tmpdir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(killer);
    assert.notEqual(code, 0);
    assert.match(err, /"http" is not a TCP port/);
  });
});
