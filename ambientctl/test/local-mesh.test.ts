// `ambientctl local up` with the mesh: istiod in the control-plane netns, ztunnel and node agent per node,
// all healthy through their readiness endpoints; `restart`, `stop` and `start` of a component; `logs` of a component.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutFor, nodeLayout } from '../src/local/cluster/layout.ts';
import { cli, eventually } from './local-helpers.ts';

interface Status {
  ready: boolean;
  components: { name: string; healthy: boolean; running: boolean; pid?: number; restarts: number }[];
}

describe('ambientctl local up with the mesh', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'al-mesh-'));
  const layout = layoutFor(dataDir);
  const dd = ['--data-dir', dataDir];

  after(async () => {
    await cli(['local', 'down', ...dd], 60_000);
  });

  it('starts istiod, ztunnel and the node agent, healthy; restarts a ztunnel on request', async () => {
    const up = await cli(['local', 'up', '--nodes', '1', '--timeout', '180', ...dd], 210_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const status = async (): Promise<Status> => JSON.parse((await cli(['local', 'status', '-o', 'json', ...dd])).stdout) as Status;
    const st = await status();
    assert.equal(st.ready, true);
    assert.deepEqual(st.components.map((c) => c.name).sort(), ['apiserver', 'cni/node-1', 'dns', 'istiod', 'ztunnel/node-1']);
    const node = nodeLayout(layout, 1);
    assert.match(readFileSync(join(node.ztunnelDir, 'root-cert.pem'), 'utf8'), /BEGIN CERTIFICATE/);
    assert.equal(readFileSync(join(node.ztunnelDir, 'istio-token'), 'utf8').split('.').length, 3, 'a JWT');

    const before = st.components.find((c) => c.name === 'ztunnel/node-1');
    const restart = await cli(['local', 'restart', ...dd, 'ztunnel/node-1']);
    assert.equal(restart.code, 0, restart.stderr);
    await eventually('ztunnel healthy again with a new pid', async () => {
      const z = (await status()).components.find((c) => c.name === 'ztunnel/node-1');
      return z?.healthy && z.pid !== before?.pid && z.restarts === (before?.restarts ?? 0) + 1 ? true : undefined;
    }, 120_000, 1000);
    const bad = await cli(['local', 'restart', ...dd, 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no component "nope"/);

    const stop = await cli(['local', 'stop', ...dd, 'istiod']);
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = (await status()).components.find((c) => c.name === 'istiod');
    assert.equal(stopped?.running, false, 'istiod stays down after stop');
    const start = await cli(['local', 'start', ...dd, 'istiod']);
    assert.equal(start.code, 0, start.stderr);
    await eventually('istiod healthy after start', async () => ((await status()).components.find((c) => c.name === 'istiod')?.healthy ? true : undefined), 120_000, 1000);

    const logs = await cli(['local', 'logs', ...dd, 'istiod']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(logs.stdout.length > 0);
  });
});
