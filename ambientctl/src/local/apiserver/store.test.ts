import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, TooOldError } from './store.ts';
import type { StoreEvent } from './store.ts';

const cm = (name: string, ns = 'd'): { metadata: { name: string; namespace: string } } => ({ metadata: { name, namespace: ns } });

describe('ObjectStore', () => {
  it('stamps increasing resourceVersions and emits ADDED, MODIFIED, DELETED in order', () => {
    const s = new ObjectStore({ historyLimit: 100 });
    const seen: StoreEvent[] = [];
    s.subscribe((e) => seen.push(e));
    const a = s.put('/configmaps', cm('a'));
    const b = s.put('/configmaps', { ...cm('a'), data: { x: '1' } });
    const gone = s.remove('/configmaps', 'd', 'a');
    assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    assert.ok(Number(gone?.metadata.resourceVersion) > Number(b.metadata.resourceVersion));
    assert.deepEqual(seen[1]?.prev, a);
    assert.equal(s.get('/configmaps', 'd', 'a'), undefined);
  });

  it('lists sorted by namespace and name, optionally in one namespace', () => {
    const s = new ObjectStore({ historyLimit: 100 });
    for (const [n, ns] of [['b', 'y'], ['a', 'y'], ['c', 'x']] as const) s.put('/configmaps', cm(n, ns));
    assert.deepEqual(s.list('/configmaps').map((o) => o.metadata.name), ['c', 'a', 'b']);
    assert.deepEqual(s.list('/configmaps', 'y').map((o) => o.metadata.name), ['a', 'b']);
    assert.deepEqual(s.list('/pods'), []);
  });

  it('replays events after a version, and refuses versions older than its history', () => {
    const s = new ObjectStore({ historyLimit: 3 });
    const first = Number(s.put('/configmaps', cm('a')).metadata.resourceVersion);
    s.put('/secrets', cm('s'));
    s.put('/configmaps', cm('b'));
    assert.deepEqual(s.eventsSince('/configmaps', first).map((e) => e.object.metadata.name), ['b']);
    for (let i = 0; i < 10; i++) s.put('/configmaps', cm(`n${i}`));
    assert.throws(() => s.eventsSince('/configmaps', first), TooOldError);
    const recent = s.resourceVersion - 2;
    assert.deepEqual(s.eventsSince('/configmaps', recent).map((e) => e.object.metadata.name), ['n8', 'n9']);
  });

  it('restores from a snapshot with the same objects and no replayable history', () => {
    const s = new ObjectStore({ historyLimit: 100 });
    s.put('/configmaps', cm('a'));
    const snap = JSON.parse(JSON.stringify(s.snapshot())) as ReturnType<ObjectStore['snapshot']>;
    const t = new ObjectStore({ historyLimit: 100 }, snap);
    assert.deepEqual(t.get('/configmaps', 'd', 'a'), s.get('/configmaps', 'd', 'a'));
    assert.equal(t.resourceVersion, s.resourceVersion);
    assert.throws(() => t.eventsSince('/configmaps', 1), TooOldError);
    assert.deepEqual(t.eventsSince('/configmaps', t.resourceVersion), []);
  });
});
