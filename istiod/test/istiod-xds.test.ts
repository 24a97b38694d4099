// istiod against the local API server, with our delta xDS client as the ztunnel: the first full push, then
// incremental pushes (a pod annotation sends that one workload, nothing else), removals, policy edits, a
// reconnect with initial_resource_versions, refused callers, and the debug endpoints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { TYPE_URL, createCaClient } from '@mesh/common/proto';
import type { IstioCertificateResponse__Output } from '@mesh/common/proto';
import { createCsr } from '@mesh/common/tls';
import { waitUntil } from '@mesh/common/testing';
import type { WatchEvent } from '@mesh/common/testing';
import { CHANNEL_OPTIONS, ZTUNNEL_NODE_ID, httpGet, openRawDelta, startHarness, startZtunnelClient } from './istiod-harness.test-util.ts';
import type { Harness, ZtunnelClient } from './istiod-harness.test-util.ts';

const NS = 'app';
const WAIT_MS = 15_000;
const uid = (pod: string): string => `Kubernetes//Pod/${NS}/${pod}`;
const SVC = `${NS}/web.${NS}.svc.cluster.local`;

let h: Harness;
let zt: ZtunnelClient;

before(async () => {
  h = await startHarness();
});
after(async () => {
  zt?.client.close();
  await h?.close();
});

function pod(name: string, ip: string, annotations: Record<string, string> = {}): object {
  return {
    metadata: { name, namespace: NS, labels: { app: 'web' }, annotations },
    spec: { nodeName: 'node-0', serviceAccountName: 'default', containers: [{ name: 'app', image: 'ambient/echo', ports: [{ containerPort: 8080, name: 'http' }] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function policy(name: string, action: string, principals: string[]): object {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: NS },
    spec: { action, rules: [{ from: [{ source: { principals } }] }] },
  };
}

const policies = (): CustomObjectsApi => h.kc.makeApiClient(CustomObjectsApi);
const since = <T>(events: readonly WatchEvent<T>[], from: number): WatchEvent<T>[] => events.slice(from);
const workloadOf = (value: unknown): Record<string, unknown> =>
  ((value as { workload?: Record<string, unknown> }).workload ?? {}) as Record<string, unknown>;

test('an ambient namespace with pods and a service reaches the ztunnel as Address and Authorization resources', async () => {
  await h.istiod.whenReady();
  await h.core.createNamespace({ body: { metadata: { name: NS, labels: { 'istio.io/dataplane-mode': 'ambient' } } } });
  await h.core.createNamespacedPod({ namespace: NS, body: pod('a', '10.244.0.5') as never });
  await h.core.createNamespacedPod({ namespace: NS, body: pod('b', '10.244.0.6') as never });
  await h.core.createNamespacedService({
    namespace: NS,
    body: { metadata: { name: 'web', namespace: NS }, spec: { selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'http' as never }] } },
  });
  await policies().createNamespacedCustomObject({ group: 'security.istio.io', version: 'v1', namespace: NS, plural: 'authorizationpolicies', body: policy('deny-sleep', 'DENY', ['cluster.local/ns/other/sa/sleep']) });

  zt = startZtunnelClient(h);
  await zt.client.ready();
  await zt.addresses.waitFor('both workloads and the service', () => [uid('a'), uid('b'), SVC].every((n) => zt.client.get(TYPE_URL.ADDRESS, n) !== undefined), WAIT_MS);
  await zt.authorizations.waitFor('the policy', () => zt.client.get(TYPE_URL.AUTHORIZATION, `${NS}/deny-sleep`) !== undefined, WAIT_MS);

  const a = workloadOf(zt.client.get(TYPE_URL.ADDRESS, uid('a')));
  assert.equal(a['name'], 'a');
  assert.equal(a['namespace'], NS);
  assert.equal(a['uid'], uid('a'));
  assert.deepEqual([...(a['addresses'] as Uint8Array[])[0] ?? []], [10, 244, 0, 5]);
  assert.equal(a['tunnel_protocol'], 'NONE', 'no HBONE before the node agent marks the pod enrolled');
  assert.ok(Object.keys(a['services'] as object).includes(SVC), 'the workload lists the service it backs');
  const svc = (zt.client.get(TYPE_URL.ADDRESS, SVC) as { service?: Record<string, unknown> }).service ?? {};
  assert.equal(svc['hostname'], `web.${NS}.svc.cluster.local`);
  // A named target port is resolved per workload (the workload's `services` map), as Istio does.
  assert.deepEqual((svc['ports'] as { service_port: number; target_port: number }[]).map((p) => [p.service_port, p.target_port]), [[80, 0]]);
  const ports = (a['services'] as Record<string, { ports: { service_port: number; target_port: number }[] }>)[SVC]?.ports ?? [];
  assert.deepEqual(ports.map((p) => [p.service_port, p.target_port]), [[80, 8080]]);
  const authz = zt.client.get(TYPE_URL.AUTHORIZATION, `${NS}/deny-sleep`) as Record<string, unknown>;
  assert.equal(authz['action'], 'DENY');
  assert.equal(authz['scope'], 'NAMESPACE');
});

test('annotating one pod redirection=enabled re-sends that one workload with HBONE and nothing else', async () => {
  const addrFrom = zt.addresses.events.length;
  const authzFrom = zt.authorizations.events.length;
  await h.core.patchNamespacedPod(
    { name: 'a', namespace: NS, body: { metadata: { annotations: { 'ambient.istio.io/redirection': 'enabled' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await zt.addresses.waitFor('the re-sent workload', (ev) => ev.length > addrFrom, WAIT_MS);
  // Give any stray extra push the debounce window and more to arrive, so "nothing else" is checked.
  await new Promise((r) => setTimeout(r, 300));
  const events = since(zt.addresses.events, addrFrom);
  assert.deepEqual(events.map((e) => `${e.kind} ${e.name}`), [`change ${uid('a')}`]);
  assert.equal(workloadOf((events[0] as { value: unknown }).value)['tunnel_protocol'], 'HBONE');
  assert.equal(zt.authorizations.events.length, authzFrom, 'no policy was re-sent');
});

test('deleting a pod sends its removal', async () => {
  const from = zt.addresses.events.length;
  await h.core.deleteNamespacedPod({ name: 'b', namespace: NS });
  await zt.addresses.waitFor('the removal', (ev) => since(ev, from).some((e) => e.kind === 'remove' && e.name === uid('b')), WAIT_MS);
  assert.ok(since(zt.addresses.events, from).every((e) => e.name === uid('b') || e.name === SVC), 'only the pod (and the service it left) changed');
});

test('policy create, edit and delete arrive as incremental Authorization updates', async () => {
  const api = policies();
  const ref = { group: 'security.istio.io', version: 'v1', namespace: NS, plural: 'authorizationpolicies' };
  let from = zt.authorizations.events.length;
  await api.createNamespacedCustomObject({ ...ref, body: policy('allow-web', 'ALLOW', ['cluster.local/ns/app/sa/web']) });
  await zt.authorizations.waitFor('the new policy', (ev) => since(ev, from).some((e) => e.kind === 'change' && e.name === `${NS}/allow-web`), WAIT_MS);
  assert.deepEqual(since(zt.authorizations.events, from).map((e) => e.name), [`${NS}/allow-web`]);

  from = zt.authorizations.events.length;
  await api.replaceNamespacedCustomObject({
    ...ref,
    name: 'allow-web',
    body: { ...(await api.getNamespacedCustomObject({ ...ref, name: 'allow-web' })), spec: (policy('allow-web', 'ALLOW', ['cluster.local/ns/app/sa/other']) as { spec: object }).spec },
  });
  await zt.authorizations.waitFor('the edited policy', (ev) => since(ev, from).length > 0, WAIT_MS);
  const edited = since(zt.authorizations.events, from);
  assert.deepEqual(edited.map((e) => `${e.kind} ${e.name}`), [`change ${NS}/allow-web`]);
  assert.match(JSON.stringify((edited[0] as { value: unknown }).value), /ns\/app\/sa\/other/);

  from = zt.authorizations.events.length;
  await api.deleteNamespacedCustomObject({ ...ref, name: 'allow-web' });
  await zt.authorizations.waitFor('the removal', (ev) => since(ev, from).some((e) => e.kind === 'remove'), WAIT_MS);
  assert.deepEqual(since(zt.authorizations.events, from).map((e) => `${e.kind} ${e.name}`), [`remove ${NS}/allow-web`]);
});

test('a reconnect with initial_resource_versions receives only what changed meanwhile, and the removals', async () => {
  const held = zt.client.versions(TYPE_URL.ADDRESS);
  assert.ok(held.has(uid('a')) && held.has(SVC));
  zt.client.close();
  await waitUntil('the old stream to end', () => h.istiod.xds.connections().length === 0, WAIT_MS);

  await h.core.createNamespacedPod({ namespace: NS, body: pod('c', '10.244.0.7') as never });
  await h.core.deleteNamespacedService({ name: 'web', namespace: NS });
  await waitUntil('istiod to push the changes', () => {
    const model = h.istiod.model();
    return model !== null && model.addresses.has(uid('c')) && !model.addresses.has(SVC);
  }, WAIT_MS);

  const raw = openRawDelta(h, { authorization: `Bearer ${h.token}` });
  try {
    raw.write({
      node: { id: ZTUNNEL_NODE_ID },
      type_url: TYPE_URL.ADDRESS,
      initial_resource_versions: { ...Object.fromEntries(held), 'Kubernetes//Pod/app/never-existed': 'x' },
    });
    await waitUntil('the first response', () => raw.responses.length >= 1, WAIT_MS);
    const first = raw.responses[0] as { resources: { name: string }[]; removed_resources: string[] };
    // Pod c is new; pod a lost its service (the workload's service map changed); the service is gone.
    assert.deepEqual(first.resources.map((r) => r.name).sort(), [uid('a'), uid('c')].sort());
    assert.deepEqual([...first.removed_resources].sort(), ['Kubernetes//Pod/app/never-existed', SVC].sort());
  } finally {
    raw.close();
  }
});

test('a stream without a token or with a bad token is refused with UNAUTHENTICATED', async () => {
  for (const metadata of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
    const raw = openRawDelta(h, metadata);
    try {
      raw.write({ node: { id: ZTUNNEL_NODE_ID }, type_url: TYPE_URL.ADDRESS });
      await waitUntil('the refusal', () => raw.status !== null, WAIT_MS);
      assert.equal(raw.status?.code, grpc.status.UNAUTHENTICATED, JSON.stringify(metadata));
      assert.notEqual(raw.status?.details ?? '', '');
      assert.equal(raw.responses.length, 0, 'nothing was sent before the refusal');
    } finally {
      raw.close();
    }
  }
});

test('a caller from another namespace cannot pose as a ztunnel: PERMISSION_DENIED before any response', async () => {
  await h.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'web' } } });
  const tr = await h.core.createNamespacedServiceAccountToken({ name: 'web', namespace: NS, body: { spec: { audiences: ['istio-ca'] } } });
  const raw = openRawDelta(h, { authorization: `Bearer ${tr.status?.token ?? ''}` });
  try {
    raw.write({ node: { id: ZTUNNEL_NODE_ID }, type_url: TYPE_URL.ADDRESS });
    await waitUntil('the refusal', () => raw.status !== null, WAIT_MS);
    assert.equal(raw.status?.code, grpc.status.PERMISSION_DENIED);
    assert.match(raw.status?.details ?? '', /namespace app .* proxy's namespace istio-system/);
    assert.equal(raw.responses.length, 0);
  } finally {
    raw.close();
  }
});

test('/ready, /metrics and /debug/syncz show the connection and its ACK state; /debug/config_dump the model', async () => {
  zt = startZtunnelClient(h);
  await zt.client.ready();
  await waitUntil('both types ACKed', () => {
    const conn = h.istiod.xds.connections()[0];
    return conn !== undefined && [...conn.types.values()].filter((t) => t.ackedVersion !== '').length === 2;
  }, WAIT_MS);
  assert.equal((await httpGet(h, '/ready')).status, 200);

  const syncz = JSON.parse((await httpGet(h, '/debug/syncz')).body) as {
    proxy: string;
    proxyType: string;
    pod: string;
    caller: string;
    connectedAt: string;
    types: { typeUrl: string; ackedVersion: string; sentVersion: string; lastPushAt: string | null; nack: unknown }[];
  }[];
  assert.equal(syncz.length, 1);
  const entry = syncz[0];
  assert.ok(entry);
  assert.equal(entry.proxy, ZTUNNEL_NODE_ID);
  assert.equal(entry.proxyType, 'ztunnel');
  assert.equal(entry.pod, 'ztunnel-node-0.istio-system');
  assert.equal(entry.caller, 'istio-system/ztunnel');
  assert.ok(!Number.isNaN(Date.parse(entry.connectedAt)));
  assert.deepEqual(entry.types.map((t) => t.typeUrl).sort(), [TYPE_URL.ADDRESS, TYPE_URL.AUTHORIZATION].sort());
  for (const t of entry.types) {
    assert.equal(t.ackedVersion, t.sentVersion);
    assert.notEqual(t.lastPushAt, null);
    assert.equal(t.nack, null);
  }

  const metrics = (await httpGet(h, '/metrics')).body;
  assert.match(metrics, /^pilot_xds 1$/m);
  assert.match(metrics, /^pilot_xds_pushes\{type="address"\} [1-9]/m);
  assert.match(metrics, /^pilot_k8s_reg_events\{type="Pod",event="add"\} [1-9]/m);
  assert.match(metrics, /^pilot_debounce_time_count [1-9]/m);

  const dump = JSON.parse((await httpGet(h, '/debug/config_dump')).body) as { addresses: Record<string, { value: { workload?: { addresses: string[] } } }> };
  assert.deepEqual(dump.addresses[uid('a')]?.value.workload?.addresses, ['10.244.0.5']);
});

test('the CA answers CreateCertificate on the same TLS port, and the root is published as istio-ca-root-cert', async () => {
  const client = createCaClient(h.target, h.credentials, CHANNEL_OPTIONS);
  try {
    const csr = await createCsr('spiffe://cluster.local/ns/istio-system/sa/ztunnel');
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${h.token}`);
    const response = await new Promise<IstioCertificateResponse__Output>((resolve, reject) => {
      client.CreateCertificate({ csr: csr.csrPem, validity_duration: 3600 }, md, { deadline: Date.now() + WAIT_MS }, (err, res) =>
        err || !res ? reject(err ?? new Error('no response')) : resolve(res),
      );
    });
    assert.ok(response.cert_chain.length >= 2);
    assert.equal(response.cert_chain.at(-1), h.istiod.rootCertPem, 'the chain ends with the root istiod serves with');
  } finally {
    client.close();
  }
  let published: string | undefined;
  const deadline = Date.now() + WAIT_MS;
  while (published === undefined && Date.now() < deadline) {
    published = await h.core
      .readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace: NS })
      .then((cm) => cm.data?.['root-cert.pem'])
      .catch(() => undefined);
    if (published === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(published, h.istiod.rootCertPem);
});
