import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredConfigMap, isUpToDate, publishesInto } from './root-cert-publisher.ts';

describe('root cert publisher rules', () => {
  it('builds the ConfigMap Istio publishes', () => {
    assert.deepEqual(desiredConfigMap('default', 'PEM'), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio-ca-root-cert', namespace: 'default', labels: { 'istio.io/config': 'true' } },
      data: { 'root-cert.pem': 'PEM' },
    });
  });

  it('treats only the root key as ours', () => {
    assert.ok(isUpToDate({ data: { 'root-cert.pem': 'PEM', other: 'x' } }, 'PEM'));
    assert.ok(!isUpToDate({ data: { 'root-cert.pem': 'OLD' } }, 'PEM'));
    assert.ok(!isUpToDate(undefined, 'PEM'));
  });

  it('skips system and terminating namespaces', () => {
    assert.ok(publishesInto({ metadata: { name: 'default' }, status: { phase: 'Active' } }));
    assert.ok(!publishesInto({ metadata: { name: 'kube-system' } }));
    assert.ok(!publishesInto({ metadata: { name: 'going' }, status: { phase: 'Terminating' } }));
    assert.ok(!publishesInto({ metadata: { name: 'going', deletionTimestamp: new Date() } }));
    assert.ok(!publishesInto(undefined));
  });
});
