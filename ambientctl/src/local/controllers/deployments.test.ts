import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../cluster/kube-client.ts';
import { planDeployment, templateHash } from './deployments.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', command: ['sleep', '1'] }] } };
const deployment = (replicas: number, t: unknown = template): Obj => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'd-uid' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: t as Record<string, unknown> },
});
const owned = (name: string, hash: string, ready = false): Obj => ({
  metadata: { name, namespace: 'ns', labels: { app: 'web', 'pod-template-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid' }] },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('planDeployment', () => {
  it('creates the missing replicas, named and labelled like ReplicaSet pods and owned by the Deployment', () => {
    const plan = planDeployment(deployment(2), []);
    assert.equal(plan.create.length, 2);
    const hash = templateHash(template);
    for (const p of plan.create) {
      assert.match(p.metadata.name, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
      assert.equal(p.metadata.labels?.['app'], 'web');
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, 'd-uid');
    }
    assert.notEqual(plan.create[0]?.metadata.name, plan.create[1]?.metadata.name);
  });

  it('scales down extra pods and reports status', () => {
    const h = templateHash(template);
    const plan = planDeployment(deployment(1), [owned('a', h, true), owned('b', h)]);
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.delete, ['b']);
    assert.equal(plan.status.readyReplicas, 1);
  });

  it('rolls: old-template pods go only once the new ones are ready', () => {
    const changed = { ...template, spec: { containers: [{ name: 'c', command: ['sleep', '2'] }] } };
    const oldHash = templateHash(template);
    const newHash = templateHash(changed);
    assert.notEqual(oldHash, newHash);
    const first = planDeployment(deployment(1, changed), [owned('old', oldHash, true)]);
    assert.equal(first.create.length, 1);
    assert.deepEqual(first.delete, []);
    const later = planDeployment(deployment(1, changed), [owned('old', oldHash, true), owned('new', newHash, true)]);
    assert.deepEqual(later.delete, ['old']);
  });
});
