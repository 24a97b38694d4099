// The informers against the local API server: every kind lists and watches; a kind whose API is not served
// does not hold up sync and is picked up once its CRD appears.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@mesh/common/log';
import { startLocalApiServer, waitUntil } from '@mesh/common/testing';
import type { LocalApiServer } from '@mesh/common/testing';
import { ClusterWatcher, WATCHED_KINDS } from '../src/kube/index.ts';
import type { WatchedKind } from '../src/kube/index.ts';

const WAIT_MS = 15_000;
const WIDGETS: WatchedKind = { key: 'workloadEntries', kind: 'Widget', path: '/apis/example.com/v1/widgets', optional: true };

let api: LocalApiServer;
let kc: KubeConfig;
const log = createLogger({ level: 'error', format: 'text' });

before(async () => {
  api = await startLocalApiServer();
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
});
after(async () => {
  await api?.close();
});

test('every watched kind syncs and reports changes; the snapshot holds current objects', async () => {
  const watcher = new ClusterWatcher(kc, log.logger, { retry: { initialMs: 50, maxMs: 500 } });
  const events: string[] = [];
  watcher.onChange((kind, event, obj) => events.push(`${kind.kind} ${event} ${obj.metadata?.name}`));
  try {
    watcher.start();
    await watcher.whenSynced();
    assert.deepEqual(Object.values(watcher.status()), WATCHED_KINDS.map(() => 'synced'));
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kw' } } });
    await core.createNamespacedPod({ namespace: 'kw', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await waitUntil('the pod in the snapshot', () => watcher.snapshot().pods.some((p) => p.metadata?.name === 'p'), WAIT_MS);
    await core.deleteNamespacedPod({ name: 'p', namespace: 'kw' });
    await waitUntil('the pod gone', () => !watcher.snapshot().pods.some((p) => p.metadata?.name === 'p'), WAIT_MS);
    assert.ok(events.includes('Pod add p') && events.includes('Pod delete p'), events.join(', '));
    assert.ok(events.includes('Namespace add kw'));
  } finally {
    await watcher.stop();
  }
});

test('an API that is not served counts as synced (empty) and is retried until its CRD appears', async () => {
  const watcher = new ClusterWatcher(kc, log.logger, { kinds: [WIDGETS], retry: { initialMs: 50, maxMs: 200 } });
  try {
    watcher.start();
    await watcher.whenSynced();
    assert.deepEqual(watcher.status(), { Widget: 'not-served' });
    assert.deepEqual(watcher.snapshot().workloadEntries, []);

    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' } },
    });
    await waitUntil('the widget after the CRD appeared', () => watcher.snapshot().workloadEntries.length === 1, WAIT_MS);
    assert.deepEqual(watcher.status(), { Widget: 'synced' });
  } finally {
    await watcher.stop();
  }
});
