import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../cluster/kube-client.ts';
import { schedule } from './scheduler.ts';

const pod = (name: string, spec: Record<string, unknown> = {}): Obj => ({ metadata: { name, namespace: 'default' }, spec });

describe('schedule', () => {
  it('spreads unbound pods over the least-loaded nodes', () => {
    const b = schedule([pod('a'), pod('b'), pod('c'), pod('d')], ['node-1', 'node-2']);
    assert.deepEqual([...b.values()].sort(), ['node-1', 'node-1', 'node-2', 'node-2']);
  });

  it('counts pods already bound and leaves them alone', () => {
    const b = schedule([pod('x', { nodeName: 'node-1' }), pod('y', { nodeName: 'node-1' }), pod('a')], ['node-1', 'node-2']);
    assert.deepEqual([...b.entries()], [['default/a', 'node-2']]);
  });

  it('honours nodeSelector on kubernetes.io/hostname and skips infeasible pods', () => {
    const b = schedule(
      [pod('a', { nodeSelector: { 'kubernetes.io/hostname': 'node-2' } }), pod('b', { nodeSelector: { 'kubernetes.io/hostname': 'node-9' } }), pod('c', { nodeSelector: { zone: 'z' } })],
      ['node-1', 'node-2'],
    );
    assert.deepEqual([...b.entries()], [['default/a', 'node-2']]);
  });

  it('ignores pods being deleted', () => {
    const p = pod('a');
    p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    assert.equal(schedule([p], ['node-1']).size, 0);
  });
});
