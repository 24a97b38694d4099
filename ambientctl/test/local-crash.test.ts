// `ambientctl local down` after the daemon was killed with SIGKILL still removes everything.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, corePath } from '../src/local/cluster/kube-client.ts';
import { layoutFor } from '../src/local/cluster/layout.ts';
import { isAlive, readState } from '../src/local/cluster/state.ts';
import { clusterNetns } from '../src/local/cluster/teardown.ts';
import { cli, eventually } from './local-helpers.ts';

describe('ambientctl local down after kill -9', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-crash-'));
  const layout = layoutFor(dataDir);
  const dd = ['--data-dir', dataDir];

  after(async () => {
    await cli(['local', 'down', ...dd], 60_000);
  });

  it('cleans up netns, pod processes, /etc/netns and the data dir', async () => {
    const up = await cli(['local', 'up', '--nodes', '1', '--mesh=false', '--timeout', '120', ...dd], 150_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const kube = KubeClient.fromKubeconfig(layout.kubeconfig);
    try {
      await kube.create(corePath('pods', 'default'), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sleeper', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'x', command: ['sleep', '3600'] }] },
      });
      await eventually('sleeper running', async () => ((await kube.get(corePath('pods', 'default', 'sleeper')))?.status?.['phase'] === 'Running' ? true : undefined));
    } finally {
      kube.close();
    }
    const state = readState(layout.statePath);
    assert.ok(state?.daemon);
    const procs = state.processes.slice();
    assert.ok(procs.some((p) => p.what.includes('sleeper')), 'the container process is recorded');
    process.kill(state.daemon.pid, 'SIGKILL');
    await eventually('daemon dead', async () => (isAlive(state.daemon!) ? undefined : true), 10_000);
    assert.ok(clusterNetns(layout.prefix).length >= 3, 'netns survive the crash');

    const down = await cli(['local', 'down', ...dd]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(clusterNetns(layout.prefix), []);
    for (const p of procs) assert.equal(isAlive(p), false, `${p.what} (pid ${p.pid}) killed`);
    const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((n) => n.startsWith(`${layout.prefix}-`)) : [];
    assert.deepEqual(etc, []);
    assert.equal(existsSync(dataDir), false);
    assert.equal(execFileSync('ip', ['link', 'show']).toString().includes('cni0'), false, 'nothing in the root netns');
  });
});
