import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toWorkload } from '../state/convert.ts';
import { trafficLabels } from './labels.ts';

describe('trafficLabels', () => {
  const src = toWorkload({ uid: 's', name: 'sleep-1', workloadName: 'sleep', namespace: 'a', canonicalName: 'sleep', canonicalRevision: 'v1', clusterId: 'Kubernetes' }, 'cluster.local');
  it('fills Istio labels from both ends', () => {
    const l = trafficLabels(
      { reporter: 'destination', direction: 'inbound', srcAddr: '1.1.1.1:1', dstAddr: '2.2.2.2:2', srcWorkload: src, srcIdentity: 'spiffe://cluster.local/ns/a/sa/sleep', mtls: true },
      'DENY',
    );
    assert.equal(l.reporter, 'destination');
    assert.equal(l.source_workload, 'sleep');
    assert.equal(l.source_canonical_revision, 'v1');
    assert.equal(l.source_principal, 'spiffe://cluster.local/ns/a/sa/sleep');
    assert.equal(l.response_flags, 'DENY');
    assert.equal(l.connection_security_policy, 'mutual_tls');
    assert.equal(l.destination_workload, 'unknown', 'missing values render as unknown');
    assert.equal(l.request_protocol, 'tcp');
  });
  it('marks plaintext as unknown security policy', () => {
    const l = trafficLabels({ reporter: 'source', direction: 'outbound', srcAddr: 'a', dstAddr: 'b', mtls: false }, '-');
    assert.equal(l.connection_security_policy, 'unknown');
    assert.equal(l.response_flags, '-');
  });
});
