// Watches and informers against the local API server, as client-node uses them (kube-api.md (c)).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, Watch, makeInformer, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1ConfigMapList } from '@kubernetes/client-node';
import { startApiServer } from '../src/local/apiserver/index.ts';
import type { ApiServer } from '../src/local/apiserver/index.ts';
import { kubeConfigFor, raw, waitFor } from './apiserver-helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Collects the events of a raw client-node Watch until `done`. */
function collect(kc: KubeConfig, path: string, query: Record<string, string>): { events: { type: string; obj: Record<string, unknown> }[]; ended: Promise<unknown>; abort: Promise<AbortController> } {
  const events: { type: string; obj: Record<string, unknown> }[] = [];
  let resolveEnd: (v: unknown) => void = () => undefined;
  const ended = new Promise((r) => (resolveEnd = r));
  const abort = new Watch(kc).watch(path, query, (type, obj: Record<string, unknown>) => events.push({ type, obj }), (err) => resolveEnd(err ?? 'done'));
  return { events, ended, abort };
}

describe('local apiserver watches', () => {
  let server: ApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    // A short history makes "too old" reachable; short bookmark interval so the bookmark test need not wait long.
    server = await startApiServer({ port: 0, historyLimit: 5, bookmarkMs: 100 });
    kc = kubeConfigFor(server);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'w' } } });
  });
  after(() => server.close());

  it('an informer sees add, update and delete in order', async () => {
    const seen: string[] = [];
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/w/configmaps', () => core.listNamespacedConfigMap({ namespace: 'w' }));
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'a' }, data: { v: '1' } } });
      await core.patchNamespacedConfigMap({ name: 'a', namespace: 'w', body: { data: { v: '2' } } }, mergePatch);
      await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'w' });
      await waitFor('three informer events', () => seen.length >= 3);
      assert.deepEqual(seen, ['add a {"v":"1"}', 'update a {"v":"2"}', 'delete a']);
      assert.equal(informer.list('w').length, 0);
    } finally {
      await informer.stop();
    }
  });

  it('answers a watch from a compacted version with an ERROR 410 event', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'w' });
    const oldRv = list.metadata?.resourceVersion ?? '';
    for (let i = 0; i < 10; i++) await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: `old${i}` } } });
    const w = collect(kc, '/api/v1/namespaces/w/configmaps', { resourceVersion: oldRv });
    await w.ended;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]?.type, 'ERROR');
    assert.equal(w.events[0]?.obj['code'], 410);
    assert.equal(w.events[0]?.obj['reason'], 'Expired');
  });

  it('an informer relists after a 410 and keeps watching from the new list', async () => {
    await core.createNamespace({ body: { metadata: { name: 'relist' } } });
    await core.createNamespacedConfigMap({ namespace: 'relist', body: { metadata: { name: 'keep' } } });
    // Churn elsewhere so the first list's version falls out of the 5-event history.
    const staleRv = String(Number((await core.listNamespacedConfigMap({ namespace: 'relist' })).metadata?.resourceVersion) - 1);
    for (let i = 0; i < 10; i++) await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: `churn${i}` } } });
    let lists = 0;
    const listFn = async (): Promise<V1ConfigMapList> => {
      lists++;
      const l = await core.listNamespacedConfigMap({ namespace: 'relist' });
      // The first list claims an old version, as if the informer had been disconnected for a long time.
      if (lists === 1) l.metadata = { ...l.metadata, resourceVersion: staleRv };
      return l;
    };
    const added: string[] = [];
    const errors: unknown[] = [];
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/relist/configmaps', listFn);
    informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await waitFor('a second list after the 410', () => lists >= 2);
      await core.createNamespacedConfigMap({ namespace: 'relist', body: { metadata: { name: 'after' } } });
      await waitFor('the object created after the relist', () => added.includes('after'));
      assert.deepEqual(errors, []);
      assert.deepEqual(informer.list('relist').map((o) => o.metadata?.name).sort(), ['after', 'keep']);
    } finally {
      await informer.stop();
    }
  });

  it('replays changes after a resourceVersion and filters watches by selectors', async () => {
    await core.createNamespace({ body: { metadata: { name: 'sel' } } });
    const rv = (await core.listNamespacedConfigMap({ namespace: 'sel' })).metadata?.resourceVersion ?? '';
    await core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name: 'x', labels: { app: 'a' } } } });
    await core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name: 'y', labels: { app: 'b' } } } });
    const w = collect(kc, '/api/v1/namespaces/sel/configmaps', { resourceVersion: rv, labelSelector: 'app=a', timeoutSeconds: '1' });
    // A label change that takes x out of the selection reads as DELETED to this watcher.
    await core.patchNamespacedConfigMap({ name: 'x', namespace: 'sel', body: { metadata: { labels: { app: 'c' } } } }, mergePatch);
    await w.ended;
    assert.deepEqual(w.events.map((e) => `${e.type} ${String((e.obj['metadata'] as { name: string }).name)}`), ['ADDED x', 'DELETED x']);
  });

  it('sends bookmarks when asked, with the current resourceVersion', async () => {
    const w = collect(kc, '/api/v1/namespaces/w/configmaps', { allowWatchBookmarks: 'true', resourceVersion: '0', fieldSelector: 'metadata.name=none', timeoutSeconds: '1' });
    await w.ended;
    const marks = w.events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(marks.length >= 1, `expected a bookmark, got ${JSON.stringify(w.events)}`);
    const rv = Number((marks[0]?.obj['metadata'] as { resourceVersion: string }).resourceVersion);
    assert.ok(rv > 1);
  });
});

describe('local apiserver persistence', () => {
  it('keeps objects, versions and the kubeconfig across a restart with the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiserver-persist-'));
    try {
      const first = await startApiServer({ port: 0, dataDir: dir, persist: true });
      let uid: string | undefined;
      let rv: number;
      try {
        const core = kubeConfigFor(first).makeApiClient(CoreV1Api);
        const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { k: 'v' } } });
        uid = cm.metadata?.uid;
        rv = Number(cm.metadata?.resourceVersion);
      } finally {
        await first.close();
      }
      const second = await startApiServer({ port: 0, dataDir: dir, persist: true });
      try {
        assert.equal(second.token, first.token, 'the admin token is kept');
        assert.equal(second.caCertPem, first.caCertPem, 'the CA is kept');
        const core = kubeConfigFor(second).makeApiClient(CoreV1Api);
        const cm = await core.readNamespacedConfigMap({ name: 'kept', namespace: 'default' });
        assert.equal(cm.metadata?.uid, uid);
        assert.deepEqual(cm.data, { k: 'v' });
        const next = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'new' } } });
        assert.ok(Number(next.metadata?.resourceVersion) > rv, 'resourceVersion keeps growing');
        // A watch from before the restart cannot be resumed.
        const r = await raw(second, 'GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv - 1}`);
        assert.match(r.text, /"code":410/);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
