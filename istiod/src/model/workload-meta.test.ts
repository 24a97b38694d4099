import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalService, workloadOwner } from './workload-meta.ts';

describe('workloadOwner', () => {
  const cases: {
    name: string;
    generateName?: string;
    owner?: { kind: string; name: string; controller?: boolean };
    labels?: Record<string, string>;
    want: { type: string; name: string };
  }[] = [
    { name: 'bare pod', want: { type: 'POD', name: 'p' } },
    {
      name: 'ReplicaSet with pod-template-hash is a Deployment',
      generateName: 'web-5f7b9-',
      owner: { kind: 'ReplicaSet', name: 'web-5f7b9' },
      labels: { 'pod-template-hash': '5f7b9' },
      want: { type: 'DEPLOYMENT', name: 'web' },
    },
    {
      name: 'ReplicaSet without the hash keeps its name, type POD',
      generateName: 'rs-',
      owner: { kind: 'ReplicaSet', name: 'rs' },
      want: { type: 'POD', name: 'rs' },
    },
    {
      name: 'hash that is not the suffix of the ReplicaSet name',
      generateName: 'rs-',
      owner: { kind: 'ReplicaSet', name: 'rs' },
      labels: { 'pod-template-hash': 'abc' },
      want: { type: 'POD', name: 'rs' },
    },
    { name: 'Job', generateName: 'migrate-', owner: { kind: 'Job', name: 'migrate' }, want: { type: 'JOB', name: 'migrate' } },
    {
      name: 'Job named by a CronJob',
      generateName: 'backup-28391220-',
      owner: { kind: 'Job', name: 'backup-28391220' },
      want: { type: 'CRONJOB', name: 'backup' },
    },
    { name: 'Job with a short numeric suffix is a Job', generateName: 'j-1-', owner: { kind: 'Job', name: 'j-1234' }, want: { type: 'JOB', name: 'j-1234' } },
    { name: 'StatefulSet keeps its name, type POD', generateName: 'db-', owner: { kind: 'StatefulSet', name: 'db' }, want: { type: 'POD', name: 'db' } },
    {
      name: 'owner that is not the controller is ignored',
      generateName: 'x-',
      owner: { kind: 'Job', name: 'j', controller: false },
      want: { type: 'POD', name: 'p' },
    },
    { name: 'no generateName: the pod itself', owner: { kind: 'Job', name: 'j' }, want: { type: 'POD', name: 'p' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const owners = c.owner ? [{ apiVersion: 'v1', kind: c.owner.kind, name: c.owner.name, uid: 'u', controller: c.owner.controller ?? true }] : undefined;
      assert.deepEqual(workloadOwner('p', c.generateName, owners, c.labels), c.want);
    });
  }
});

describe('canonicalService', () => {
  it('falls back to the workload name and latest', () => {
    assert.deepEqual(canonicalService(undefined, 'web'), { name: 'web', revision: 'latest' });
  });
  it('prefers app over the workload name', () => {
    assert.deepEqual(canonicalService({ app: 'a', version: 'v1' }, 'web'), { name: 'a', revision: 'v1' });
  });
});
