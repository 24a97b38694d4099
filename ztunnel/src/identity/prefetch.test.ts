import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toAddress } from '../state/convert.ts';
import { ProxyState } from '../state/store.ts';
import { prefetchLocalCertificates } from './prefetch.ts';
import type { CertManager } from './cert-manager.ts';

describe('certificate prefetch', () => {
  it('tracks enrolled workloads of this node and releases them when they go', () => {
    const calls: string[] = [];
    const certs = { track: (id: string) => calls.push(`track ${id}`), release: (id: string) => calls.push(`release ${id}`) } as unknown as CertManager;
    const s = new ProxyState();
    const stop = prefetchLocalCertificates(s, certs, 'node-1');
    const add = (uid: string, node: string, sa: string, protocol = 'HBONE') =>
      s.upsertAddress(uid, toAddress({ workload: { uid, namespace: 'ns', serviceAccount: sa, node, protocol, workloadIps: ['10.0.0.1'] } }, 'cluster.local'));
    add('a', 'node-1', 'sa1');
    add('b', 'node-2', 'sa2');
    add('c', 'node-1', 'sa3', 'NONE');
    assert.deepEqual(calls, ['track spiffe://cluster.local/ns/ns/sa/sa1']);
    s.removeAddress('a');
    assert.deepEqual(calls.slice(1), ['release spiffe://cluster.local/ns/ns/sa/sa1']);
    stop();
  });
});
