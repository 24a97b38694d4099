// Restarting the mesh's processes keeps or restores traffic: ztunnel (the pods' proxies come back from the node
// agent's ZDS snapshot), the node agent (reconciles instead of duplicating rules), and istiod (ztunnels keep their
// last good state, so an existing DENY policy is still enforced while istiod is down).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalCluster, run } from '../src/local-cluster.ts';
import { clientYaml, denyClientYaml, echoYaml, namespaceYaml } from '../src/scenario.ts';
import { curlFails, curlFrom, curlSucceeds, podReady, podsReady, redirection } from '../src/mesh-checks.ts';
import { clusterStatus, nodeNetns } from '../src/ztunnel-metrics.ts';

const NS = 'store';
const URL = `http://echo.${NS}.svc.cluster.local/`;

describe('restarts of mesh components', { timeout: 900_000 }, () => {
  let cluster: LocalCluster;
  let echoPod = '';

  before(async () => {
    cluster = await LocalCluster.up({ nodes: 2 });
    await cluster.apply(namespaceYaml(NS, true));
    await cluster.apply(echoYaml(NS, 'node-2'));
    await cluster.apply(clientYaml(NS, 'node-1'));
    echoPod = (await podsReady(cluster, NS, 'app=echo', 1))[0]?.metadata?.name ?? '';
    await podReady(cluster, NS, 'client');
    await redirection(cluster, NS, 'client', true);
    await redirection(cluster, NS, echoPod, true);
    await curlSucceeds(cluster, `${NS}/client`, URL, 90_000);
  });

  after(async () => {
    const down = await cluster.down();
    assert.equal(down.code, 0, down.stderr);
  });

  const healthyAgain = async (component: string): Promise<void> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const c = (await clusterStatus(cluster)).components.find((x) => x.name === component);
      if (c?.healthy) return;
      if (Date.now() > deadline) throw new Error(`${component} not healthy again`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  test('restarting the ztunnels restores traffic over mTLS', async () => {
    for (const z of ['ztunnel/node-1', 'ztunnel/node-2']) {
      const r = await cluster.local(['restart', z]);
      assert.equal(r.code, 0, r.stderr);
    }
    await healthyAgain('ztunnel/node-1');
    await healthyAgain('ztunnel/node-2');
    const lines = await curlSucceeds(cluster, `${NS}/client`, URL);
    assert.equal(lines.get('Hostname'), echoPod);
  });

  test('restarting the node agent keeps traffic and does not duplicate the in-pod rules', async () => {
    const r = await cluster.local(['restart', 'cni/node-1']);
    assert.equal(r.code, 0, r.stderr);
    await healthyAgain('cni/node-1');
    await curlSucceeds(cluster, `${NS}/client`, URL);
    const uid = (await cluster.core().readNamespacedPod({ namespace: NS, name: 'client' })).metadata?.uid ?? '';
    const prefix = (await nodeNetns(cluster, 'node-1')).replace(/-node-1$/, '');
    const saved = await run('ip', ['netns', 'exec', `${prefix}-pod-${uid.replace(/-/g, '').slice(0, 8)}`, 'iptables-save', '-t', 'nat']);
    assert.equal(saved.code, 0, saved.stderr);
    const jumps = saved.stdout.split('\n').filter((l) => l.startsWith('-A OUTPUT') && l.includes('ISTIO_OUTPUT'));
    assert.equal(jumps.length, 1, `one jump to ISTIO_OUTPUT:\n${saved.stdout}`);
  });

  test('with istiod down, the existing DENY policy stays enforced; after istiod returns, policy edits apply again', async () => {
    await cluster.apply(denyClientYaml(NS, NS));
    await curlFails(cluster, `${NS}/client`, URL);
    const stop = await cluster.local(['stop', 'istiod']);
    assert.equal(stop.code, 0, stop.stderr);
    // The ztunnels lost their xDS stream and keep serving from their last good state.
    for (let i = 0; i < 5; i++) {
      const r = await curlFrom(cluster, `${NS}/client`, URL);
      assert.equal(r.ok, false, 'still denied while istiod is down');
    }
    const start = await cluster.local(['start', 'istiod']);
    assert.equal(start.code, 0, start.stderr);
    await healthyAgain('istiod');
    await cluster.delete(denyClientYaml(NS, NS));
    try {
      // The ztunnels' xDS streams come back by themselves (the gRPC channel reconnects on its own backoff, up to
      // 15 s); on a loaded machine that and istiod's restart take a while, so wait for the removal to arrive
      // rather than for a fixed short time (within the runner's 180 s cap for the whole test).
      await curlSucceeds(cluster, `${NS}/client`, URL, 90_000);
    } catch (err) {
      // Say why: each component's last log lines (xDS reconnects, pushes, the access log) and what each ztunnel
      // holds (its xDS status and policies, from its admin port in the node's netns).
      const tails = await Promise.all(
        ['istiod', 'ztunnel/node-1', 'ztunnel/node-2'].map(async (c) => {
          const r = await cluster.local(['logs', c]);
          return `--- ${c}\n${r.stdout.split('\n').slice(-40).join('\n')}`;
        }),
      );
      for (const node of ['node-1', 'node-2']) {
        const dump = await run('ip', ['netns', 'exec', await nodeNetns(cluster, node), 'curl', '-s', '-m', '5', 'http://127.0.0.1:15000/config_dump']);
        let held = dump.stdout.slice(0, 300);
        try {
          const d = JSON.parse(dump.stdout) as { xds?: unknown; policies?: unknown };
          held = JSON.stringify({ xds: d.xds, policies: d.policies });
        } catch {
          // not JSON: show the start of what came back
        }
        tails.push(`--- ztunnel/${node} config_dump: ${held}`);
      }
      throw new Error(`${(err as Error).message}\n${tails.join('\n')}`, { cause: err });
    }
  });
});
