import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanAge, toTable, wantsTable } from './table.ts';
import type { ResourceType } from './registry.ts';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString();

describe('humanAge', () => {
  const cases: [number, string][] = [
    [5, '5s'], [119, '119s'], [125, '2m5s'], [600, '10m'], [3 * 3600 + 60, '3h1m'], [9 * 3600, '9h'], [3 * 86400 + 7200, '3d2h'], [40 * 86400, '40d'], [800 * 86400, '2y'],
  ];
  for (const [s, want] of cases) it(`${s}s → ${want}`, () => assert.equal(humanAge(ago(s), NOW), want));
  it('no timestamp', () => assert.equal(humanAge(undefined, NOW), '<unknown>'));
});

describe('toTable', () => {
  const pods: ResourceType = { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: [], categories: [], hasStatus: true, custom: false };
  const pod = {
    metadata: { name: 'p1', namespace: 'x', creationTimestamp: ago(30) },
    spec: { nodeName: 'n1', containers: [{}, {}] },
    status: { phase: 'Running', podIP: '10.0.0.5', containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1 }] },
  };
  it('prints pod columns with wide ones at priority 1', () => {
    const t = toTable(pods, [pod], { resourceVersion: '7' }, null, NOW) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
    assert.deepEqual(t.columnDefinitions.map((c) => `${c.name}:${c.priority}`), ['Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1']);
    assert.deepEqual(t.rows[0]?.cells, ['p1', '1/2', 'Running', 3, '30s', '10.0.0.5', 'n1']);
    assert.equal(t.rows[0]?.object.kind, 'PartialObjectMetadata');
  });
  it('falls back to Name and Age for other kinds', () => {
    const t = toTable({ ...pods, group: 'security.istio.io', resource: 'authorizationpolicies' }, [pod], {}, 'None', NOW) as { columnDefinitions: { name: string }[]; rows: Record<string, unknown>[] };
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Age']);
    assert.equal(t.rows[0]?.['object'], undefined);
  });
  it('recognises kubectl\'s Accept header only', () => {
    assert.equal(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json'), true);
    assert.equal(wantsTable('application/json'), false);
    assert.equal(wantsTable(undefined), false);
  });
});
