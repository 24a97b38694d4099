// The mesh end to end on a two-node local cluster: enrollment of running pods, mTLS between nodes with the
// client's IP preserved, L4 policies, STRICT PeerAuthentication, un-enrollment, and a clean `down`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LocalCluster, run } from '../src/local-cluster.ts';
import { allowOnlyYaml, clientYaml, denyClientYaml, echoYaml, namespaceYaml, strictYaml } from '../src/scenario.ts';
import { curlFails, curlFrom, curlSucceeds, podReady, podsReady, redirection } from '../src/mesh-checks.ts';
import { clusterStatus } from '../src/ztunnel-metrics.ts';
import { LinkCounters } from '../src/link-counters.ts';

const NS = 'shop';
const OUTSIDE = 'outside';
const MARKER = `e2emark${randomBytes(6).toString('hex')}`;
const URL = `http://echo.${NS}.svc.cluster.local/?m=${MARKER}`;

describe('mesh on a two-node local cluster', { timeout: 900_000 }, () => {
  let cluster: LocalCluster;
  let counters: LinkCounters;
  let clientIp = '';
  let echoPod = '';

  before(async () => {
    cluster = await LocalCluster.up({ nodes: 2 });
    const status = await clusterStatus(cluster);
    const cp = status.components.find((c) => c.name === 'istiod')?.netns ?? '';
    assert.ok(cp, 'istiod runs in the control-plane netns');
    counters = new LinkCounters(cp, MARKER);
    await counters.install();
    // Not enrolled yet: the namespace has no label when the pods start.
    await cluster.apply(namespaceYaml(NS, false));
    await cluster.apply(echoYaml(NS, 'node-2'));
    await cluster.apply(clientYaml(NS, 'node-1'));
    await cluster.apply(namespaceYaml(OUTSIDE, false));
    await cluster.apply(clientYaml(OUTSIDE, 'node-1', 'stranger'));
    const [echo] = await podsReady(cluster, NS, 'app=echo', 1);
    echoPod = echo?.metadata?.name ?? '';
    clientIp = (await podReady(cluster, NS, 'client')).status?.podIP ?? '';
    await podReady(cluster, OUTSIDE, 'stranger');
  });

  after(async () => {
    await counters?.remove();
    const prefixNetns = (await clusterStatus(cluster).catch(() => undefined))?.nodes[0]?.netns.replace(/-node-1$/, '');
    const down = await cluster.down();
    assert.equal(down.code, 0, `ambientctl local down: ${down.stderr}`);
    if (prefixNetns) {
      const left = await run('ip', ['netns', 'list']);
      assert.ok(!left.stdout.includes(prefixNetns), `netns left behind after down:\n${left.stdout}`);
    }
  });

  test('before enrollment traffic is plaintext on the node-to-node link', async () => {
    await curlSucceeds(cluster, `${NS}/client`, URL);
    await counters.zero();
    const r = await curlFrom(cluster, `${NS}/client`, URL);
    assert.ok(r.ok, r.detail);
    const c = await counters.read();
    assert.ok(c.marker > 0, 'the marker is visible in plaintext before enrollment');
    assert.equal(c.hbone, 0);
  });

  test('labelling the namespace enrolls the running pods without restarting them', async () => {
    const before = await cluster.core().readNamespacedPod({ namespace: NS, name: 'client' });
    await cluster.apply(namespaceYaml(NS, true));
    const enrolled = await redirection(cluster, NS, 'client', true);
    await redirection(cluster, NS, echoPod, true);
    assert.equal(enrolled.metadata?.uid, before.metadata?.uid, 'same pod');
    assert.equal(enrolled.status?.startTime?.toString(), before.status?.startTime?.toString(), 'not restarted');
  });

  test('cross-node traffic is mTLS over 15008 and the server sees the client pod IP', async () => {
    await curlSucceeds(cluster, `${NS}/client`, URL);
    await counters.zero();
    const r = await curlFrom(cluster, `${NS}/client`, URL);
    assert.ok(r.ok, r.detail);
    assert.equal(r.lines.get('IP'), clientIp, 'the server app saw the client pod IP');
    const c = await counters.read();
    assert.equal(c.marker, 0, 'no plaintext marker on the link');
    assert.ok(c.hbone > 0, 'packets to port 15008 crossed the link');
  });

  test('a DENY policy refuses the client, removing it restores traffic', async () => {
    await cluster.apply(denyClientYaml(NS, NS));
    await curlFails(cluster, `${NS}/client`, URL);
    await cluster.delete(denyClientYaml(NS, NS));
    await curlSucceeds(cluster, `${NS}/client`, URL);
  });

  test('an ALLOW policy for another identity refuses the client; for its own identity allows it', async () => {
    await cluster.apply(allowOnlyYaml(NS, `cluster.local/ns/${NS}/sa/someone-else`));
    await curlFails(cluster, `${NS}/client`, URL);
    await cluster.apply(allowOnlyYaml(NS, `cluster.local/ns/${NS}/sa/client`));
    await curlSucceeds(cluster, `${NS}/client`, URL);
    await cluster.delete(allowOnlyYaml(NS, ''));
  });

  test('STRICT PeerAuthentication refuses plaintext from a pod outside the mesh', async () => {
    const echoUrl = `http://echo.${NS}.svc.cluster.local/`;
    await curlSucceeds(cluster, `${OUTSIDE}/stranger`, echoUrl);
    await cluster.apply(strictYaml(NS));
    await curlFails(cluster, `${OUTSIDE}/stranger`, echoUrl);
    await curlSucceeds(cluster, `${NS}/client`, URL);
    await cluster.delete(strictYaml(NS));
    await curlSucceeds(cluster, `${OUTSIDE}/stranger`, echoUrl);
  });

  test('removing the label returns the pods to plaintext', async () => {
    await cluster.apply(namespaceYaml(NS, false));
    await redirection(cluster, NS, 'client', false);
    await redirection(cluster, NS, echoPod, false);
    await curlSucceeds(cluster, `${NS}/client`, URL);
    await counters.zero();
    const r = await curlFrom(cluster, `${NS}/client`, URL);
    assert.ok(r.ok, r.detail);
    const c = await counters.read();
    assert.ok(c.marker > 0, 'plaintext again');
    assert.equal(c.hbone, 0);
  });
});
