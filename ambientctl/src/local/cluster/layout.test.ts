import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { layoutFor, nodeLayout, podNetnsName } from './layout.ts';

describe('layout', () => {
  it('derives a per-data-dir prefix and the contracted names and addresses', () => {
    const a = layoutFor('/tmp/a');
    const b = layoutFor('/tmp/b');
    assert.notEqual(a.prefix, b.prefix);
    assert.equal(layoutFor('/tmp/a/').prefix, a.prefix);
    assert.equal(a.cpNetns, `${a.prefix}-cp`);
    const n = nodeLayout(a, 2);
    assert.equal(n.netns, `${a.prefix}-node-2`);
    assert.equal(n.ip, '10.200.0.12');
    assert.equal(n.podCidr, '10.244.2.0/24');
    assert.equal(n.podGateway, '10.244.2.1');
    assert.equal(n.cniNetDir, '/tmp/a/nodes/node-2/cni/net.d');
    assert.equal(n.ztunnelSocket, '/tmp/a/nodes/node-2/run/ztunnel/ztunnel.sock');
    assert.equal(podNetnsName(a, '0a1b2c3d-4e5f-6789-abcd-ef0123456789'), `${a.prefix}-pod-0a1b2c3d`);
  });
});
