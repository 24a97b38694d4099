// Drives the local API server with @kubernetes/client-node, the client istiod, the cni agent and ambientctl use.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { startApiServer } from '../src/local/apiserver/index.ts';
import type { ApiServer } from '../src/local/apiserver/index.ts';
import { kubeConfigFor, raw } from './apiserver-helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const AP = { group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies' };

async function rejects(p: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    assert.equal(e.code, code, `expected HTTP ${code}, got ${String(e.code)}: ${String(e.body)}`);
    return (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as Record<string, unknown>;
  }
  assert.fail(`expected HTTP ${code}, the call succeeded`);
}

describe('local apiserver with client-node', () => {
  let server: ApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    server = await startApiServer({ port: 0 });
    kc = kubeConfigFor(server);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: 'crud' } } });
  });
  after(() => server.close());

  it('creates, reads, updates, patches and deletes a ConfigMap', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'cm1' }, data: { a: '1' } } });
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    assert.equal(created.metadata?.namespace, 'crud');
    const read = await core.readNamespacedConfigMap({ name: 'cm1', namespace: 'crud' });
    assert.deepEqual(read.data, { a: '1' });

    const replaced = await core.replaceNamespacedConfigMap({ name: 'cm1', namespace: 'crud', body: { ...read, data: { a: '2' } } });
    assert.equal(replaced.data?.['a'], '2');
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    // The same stale resourceVersion again is a conflict.
    const status = await rejects(core.replaceNamespacedConfigMap({ name: 'cm1', namespace: 'crud', body: { ...read, data: { a: '3' } } }), 409);
    assert.equal(status['reason'], 'Conflict');

    const patched = await core.patchNamespacedConfigMap({ name: 'cm1', namespace: 'crud', body: { data: { a: null, b: 'x' }, metadata: { labels: { l: 'v' } } } }, mergePatch);
    assert.deepEqual(patched.data, { b: 'x' });
    assert.deepEqual(patched.metadata?.labels, { l: 'v' });
    assert.equal(patched.metadata?.uid, created.metadata?.uid);

    await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: 'crud' });
    const gone = await rejects(core.readNamespacedConfigMap({ name: 'cm1', namespace: 'crud' }), 404);
    assert.equal(gone['reason'], 'NotFound');
    assert.equal(gone['kind'], 'Status');
  });

  it('fills generateName, refuses duplicates and objects in a missing namespace', async () => {
    const a = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'gen-' } } });
    assert.match(a.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
    await rejects(core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: a.metadata?.name ?? '' } } }), 409);
    const st = await rejects(core.createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'x' } } }), 404);
    assert.match(String(st['message']), /namespaces "nope" not found/);
    const bad = await rejects(core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'Bad_Name' } } }), 422);
    assert.match(String(bad['message']), /metadata\.name/);
  });

  it('stores a CRD kind with status subresource, generation and finalizers', async () => {
    const body = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny', finalizers: ['test/hold'] }, spec: { action: 'DENY' }, status: { ignored: true } };
    const created = (await custom.createNamespacedCustomObject({ ...AP, namespace: 'crud', body })) as V1ConfigMap & { spec: unknown; status?: unknown };
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.status, undefined, 'status is dropped on create when there is a status subresource');

    const labelled = (await custom.patchNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny', body: { metadata: { labels: { a: 'b' } } } }, mergePatch)) as V1ConfigMap;
    assert.equal(labelled.metadata?.generation, 1, 'metadata changes do not move generation');
    const specChanged = (await custom.patchNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny', body: { spec: { action: 'ALLOW' } } }, mergePatch)) as V1ConfigMap;
    assert.equal(specChanged.metadata?.generation, 2);

    const withStatus = (await custom.patchNamespacedCustomObjectStatus({ ...AP, namespace: 'crud', name: 'deny', body: { status: { conditions: [{ type: 'Ready' }] }, spec: { action: 'AUDIT' } } }, mergePatch)) as { spec: { action: string }; status: unknown; metadata: { generation: number } };
    assert.deepEqual(withStatus.status, { conditions: [{ type: 'Ready' }] });
    assert.equal(withStatus.spec.action, 'ALLOW', 'a status write does not change spec');
    assert.equal(withStatus.metadata.generation, 2);

    // Strategic merge patch is refused for custom resources, as a real server does.
    const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await rejects(custom.patchNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny', body: { spec: {} } }, smp), 415);

    // Deleting an object with a finalizer only marks it; removing the finalizer finishes the delete.
    await custom.deleteNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny' });
    const marked = (await custom.getNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny' })) as V1ConfigMap;
    assert.ok(marked.metadata?.deletionTimestamp, 'deletionTimestamp is set');
    await custom.patchNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny', body: { metadata: { finalizers: null } } }, mergePatch);
    await rejects(custom.getNamespacedCustomObject({ ...AP, namespace: 'crud', name: 'deny' }), 404);
  });

  it('registers a new kind from a CustomResourceDefinition', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true }] },
    };
    const create = await raw(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: JSON.stringify(crd), contentType: 'application/json' });
    assert.equal(create.status, 201, create.text);
    await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' } } });
    const list = (await custom.listClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'widgets' })) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['w1']);
    assert.equal((await raw(server, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status, 200);
    assert.equal((await raw(server, 'GET', '/apis/example.com/v1/widgets')).status, 404);
  });

  it('filters lists by label and field selectors', async () => {
    await core.createNamespace({ body: { metadata: { name: 'sel' } } });
    const pod = (name: string, labels: Record<string, string>, nodeName: string, phase: string): V1Pod => ({
      metadata: { name, labels },
      spec: { nodeName, containers: [{ name: 'c', image: 'none' }] },
      status: { phase },
    });
    await core.createNamespacedPod({ namespace: 'sel', body: pod('p1', { app: 'a', tier: 'web' }, 'n1', 'Running') });
    await core.createNamespacedPod({ namespace: 'sel', body: pod('p2', { app: 'b' }, 'n1', 'Failed') });
    await core.createNamespacedPod({ namespace: 'sel', body: pod('p3', { app: 'c', tier: 'db' }, 'n2', 'Running') });
    const names = async (q: { labelSelector?: string; fieldSelector?: string }): Promise<string[]> =>
      (await core.listNamespacedPod({ namespace: 'sel', ...q })).items.map((p) => p.metadata?.name ?? '');
    assert.deepEqual(await names({ labelSelector: 'app=a' }), ['p1']);
    assert.deepEqual(await names({ labelSelector: 'app in (a,b)' }), ['p1', 'p2']);
    assert.deepEqual(await names({ labelSelector: 'app notin (a),tier' }), ['p3']);
    assert.deepEqual(await names({ labelSelector: '!tier' }), ['p2']);
    assert.deepEqual(await names({ fieldSelector: 'spec.nodeName=n1' }), ['p1', 'p2']);
    assert.deepEqual(await names({ fieldSelector: 'spec.nodeName=n1,status.phase!=Failed' }), ['p1']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=p3' }), ['p3']);
    const all = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=sel', labelSelector: 'app!=c' });
    assert.deepEqual(all.items.map((p) => p.metadata?.name), ['p1', 'p2']);
    const st = await rejects(core.listNamespacedPod({ namespace: 'sel', labelSelector: 'app in (a' }), 400);
    assert.match(String(st['message']), /app in \(a/);
  });

  it('pages a list with limit and continue', async () => {
    await core.createNamespace({ body: { metadata: { name: 'page' } } });
    for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: `cm${i}` } } });
    const first = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2 });
    assert.deepEqual(first.items.map((c) => c.metadata?.name), ['cm0', 'cm1']);
    assert.equal(first.metadata?.remainingItemCount, 3);
    const second = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2, _continue: first.metadata?._continue ?? '' });
    assert.deepEqual(second.items.map((c) => c.metadata?.name), ['cm2', 'cm3']);
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    const third = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2, _continue: second.metadata?._continue ?? '' });
    assert.deepEqual(third.items.map((c) => c.metadata?.name), ['cm4']);
    assert.equal(third.metadata?._continue, undefined);
  });

  it('deletes a namespace with its content', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c' } } });
    await core.deleteNamespace({ name: 'doomed' });
    await rejects(core.readNamespace({ name: 'doomed' }), 404);
    await rejects(core.readNamespacedConfigMap({ name: 'c', namespace: 'doomed' }), 404);
  });

  it('allocates Service cluster IPs and keeps them immutable', async () => {
    const kube = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    assert.equal(kube.spec?.clusterIP, '10.96.0.1');
    const a = await core.createNamespacedService({ namespace: 'crud', body: { metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } } });
    const b = await core.createNamespacedService({ namespace: 'crud', body: { metadata: { name: 'b' }, spec: { ports: [{ port: 80 }] } } });
    assert.match(a.spec?.clusterIP ?? '', /^10\.96\.\d+\.\d+$/);
    assert.notEqual(a.spec?.clusterIP, b.spec?.clusterIP);
    assert.equal(a.spec?.ports?.[0]?.targetPort, 80);
    const headless = await core.createNamespacedService({ namespace: 'crud', body: { metadata: { name: 'h' }, spec: { clusterIP: 'None' } } });
    assert.equal(headless.spec?.clusterIP, 'None');
    const dup = await rejects(core.createNamespacedService({ namespace: 'crud', body: { metadata: { name: 'c' }, spec: { clusterIP: a.spec?.clusterIP ?? '' } } }), 422);
    assert.match(String(dup['message']), /already allocated/);
    const changed = { ...a, spec: { ...a.spec, clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] } };
    await rejects(core.replaceNamespacedService({ name: 'a', namespace: 'crud', body: changed }), 422);
  });

  it('deletes dependents whose ownerReferences name a deleted owner', async () => {
    const owner = await custom.createNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'crud', plural: 'gateways', body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint' }, spec: { gatewayClassName: 'istio-waypoint' } } }) as { metadata: { uid: string } };
    const ref = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'waypoint', uid: owner.metadata.uid };
    await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'owned', ownerReferences: [ref] } } });
    await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'unowned' } } });
    await custom.deleteNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'crud', plural: 'gateways', name: 'waypoint' });
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = (await raw(server, 'GET', '/api/v1/namespaces/crud/configmaps/owned')).status === 404;
      if (!gone) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(gone, 'the owned ConfigMap was deleted');
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/crud/configmaps/unowned')).status, 200);
  });

  it('answers malformed requests with a Status naming the problem and keeps serving', async () => {
    const cases: [string, string, string, string, number, RegExp][] = [
      ['POST', '/api/v1/namespaces/crud/configmaps', '{"metadata":', 'application/json', 400, /not valid JSON/],
      ['POST', '/api/v1/namespaces/crud/configmaps', '[1,2]', 'application/json', 400, /must be a JSON object/],
      ['POST', '/api/v1/namespaces/crud/configmaps', '{"kind":"Secret","metadata":{"name":"x"}}', 'application/json', 400, /kind in the data \(Secret\)/],
      ['POST', '/api/v1/namespaces/crud/configmaps', '{"metadata":{"name":"x","labels":{"a":5}}}', 'application/json', 422, /metadata\.labels/],
      ['POST', '/api/v1/namespaces/crud/configmaps', 'k8s\0garbage', 'application/vnd.kubernetes.protobuf', 400, /protobuf/],
      ['PATCH', '/api/v1/namespaces/default', '{}', 'text/plain', 415, /unknown format/],
      ['GET', '/api/v1/nosuchthings', '', '', 404, /could not find/],
      ['GET', '/api/v1/namespaces/crud/configmaps?watch=true&resourceVersion=abc', '', '', 400, /resourceVersion/],
    ];
    for (const [method, path, body, contentType, code, message] of cases) {
      const r = await raw(server, method, path, { body, contentType });
      assert.equal(r.status, code, `${method} ${path} ${body}: ${r.text}`);
      const st = r.json();
      assert.equal(st['kind'], 'Status');
      assert.match(String(st['message']), message);
    }
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces', { token: null })).status, 401);
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status, 401);
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/crud')).status, 200, 'still serving');
  });
});
