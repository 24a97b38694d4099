// Delta ADS end to end: our XdsClient against our XdsServer over real grpc-js on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { DeltaDiscoveryResponse } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryResponse.ts';
import type { Address__Output } from '../gen/istio/workload/Address.ts';
import { TYPE_URL } from '../proto/index.ts';
import { xdsHarness } from './e2e-harness.test-util.ts';
import { WatchRecorder, addressType, waitUntil, workloadAddress } from '../testing/index.ts';
import { protoResourceType } from './index.ts';
import type { XdsConnection } from './index.ts';

const A = TYPE_URL.ADDRESS;
const harness = xdsHarness('delta', 'ztunnel~10.0.0.1~ztunnel-abc.istio-system~istio-system.svc.cluster.local');
const { startServer, startClient } = harness;

function uidOf(value: unknown): string {
  return (value as Address__Output).workload?.uid ?? '';
}

test('delta: initial push, update and removal reach the watcher; the server records the ACK', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v1'));
  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'v1'));
  const client = startClient(server.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await client.ready(A);
  await seen.waitFor('two workloads', (e) => e.length === 2);
  assert.deepEqual(seen.events.map((e) => e.name).sort(), ['uid-1', 'uid-2']);

  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v2', 'renamed'));
  await seen.waitFor('the update', (e) => e.length === 3);
  const update = seen.events[2];
  assert.equal(update?.kind, 'change');
  assert.equal(update?.kind === 'change' ? update.value.workload?.name : '', 'renamed');

  server.store.remove(A, 'uid-2');
  await seen.waitFor('the removal', (e) => e.length === 4);
  assert.deepEqual(seen.events[3], { kind: 'remove', name: 'uid-2' });
  assert.deepEqual([...client.versions(A)], [['uid-1', 'v2']]);

  await waitUntil('the ACK of the last push', () => {
    const row = server.xds.syncz()[0];
    return row !== undefined && row.ackedVersion === server.store.version(A) && row.nonce !== '';
  });
  const [row] = server.xds.syncz();
  assert.equal(row?.variant, 'delta');
  assert.equal(row?.nodeId, 'ztunnel~10.0.0.1~ztunnel-abc.istio-system~istio-system.svc.cluster.local');
  assert.equal(row?.subscribed, '*');
  assert.equal(row?.lastNack, null);
});

test('delta: a bad resource is NACKed with its reason, keeps its last good value, and good ones apply', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v1', 'good-1'));
  const client = startClient(server.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('uid-1', (e) => e.length === 1);

  // One store write, one response: uid-1 becomes invalid (no uid), uid-3 is new and fine.
  server.store.setResources(
    A,
    new Map([
      ['uid-1', workloadAddress(harness.codec, '', 'v2')],
      ['uid-3', workloadAddress(harness.codec, 'uid-3', 'v1')],
    ]),
  );
  await seen.waitFor('uid-3', (e) => e.some((x) => x.name === 'uid-3'));
  await waitUntil('the NACK on the server', () => server.xds.syncz()[0]?.lastNack !== null);
  const row = server.xds.syncz()[0];
  assert.equal(row?.lastNack?.message, 'uid-1: workload has no uid');
  assert.equal(row?.lastNack?.version, server.store.version(A));
  assert.notEqual(row?.ackedVersion, server.store.version(A));
  assert.equal(client.get<Address__Output>(A, 'uid-1')?.workload?.name, 'good-1');
  assert.equal(client.versions(A).get('uid-1'), 'v1');
  assert.equal(uidOf(client.get(A, 'uid-3')), 'uid-3');
  assert.equal(seen.events.filter((e) => e.name === 'uid-1').length, 1, 'the bad uid-1 was not delivered');
});

test('delta: after a server restart the client sends initial_resource_versions and gets only changes and removals', async () => {
  const first = await startServer();
  const port = first.port;
  for (const uid of ['keep', 'change', 'drop']) first.store.upsert(A, uid, workloadAddress(harness.codec, uid, 'v1'));
  const client = startClient(first.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('three workloads', (e) => e.length === 3);
  first.close();

  const requests: XdsConnection[] = [];
  const sent: DeltaDiscoveryResponse[] = [];
  const second = await startServer({
    port,
    onConnect: (conn) => requests.push(conn),
    onResponse: (_conn, response) => sent.push(response as DeltaDiscoveryResponse),
  });
  second.store.upsert(A, 'keep', workloadAddress(harness.codec, 'keep', 'v1'));
  second.store.upsert(A, 'change', workloadAddress(harness.codec, 'change', 'v2', 'changed'));
  second.store.upsert(A, 'new', workloadAddress(harness.codec, 'new', 'v1'));

  await seen.waitFor('the removal of drop', (e) => e.some((x) => x.kind === 'remove' && x.name === 'drop'));
  await seen.waitFor('new', (e) => e.some((x) => x.name === 'new'));
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]?.resources?.map((r) => r.name).sort(), ['change', 'new']);
  assert.deepEqual(sent[0]?.removed_resources, ['drop']);
  assert.deepEqual([...client.versions(A)].sort(), [['change', 'v2'], ['keep', 'v1'], ['new', 'v1']]);
  assert.ok(client.status().streams >= 2);
  assert.equal(requests.length, 1);
});

test('delta: a cancelled stream reconnects and an unchanged store sends nothing but the empty first response', async () => {
  const sent: DeltaDiscoveryResponse[] = [];
  const server = await startServer({ onResponse: (_c, r) => sent.push(r as DeltaDiscoveryResponse) });
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v1'));
  const client = startClient(server.address);
  client.watch(A, '*', new WatchRecorder());
  await client.ready(A);
  await waitUntil('the first stream', () => server.xds.connections().length === 1);
  const firstId = server.xds.connections()[0]?.id;
  server.xds.disconnectAll();
  await waitUntil('a new stream', () => server.xds.connections().some((c) => c.id !== firstId && c.types.size === 1));
  await waitUntil('its first response', () => sent.length === 2);
  assert.deepEqual(sent[1]?.resources, []);
  assert.deepEqual(sent[1]?.removed_resources, []);
  assert.equal(client.get(A, 'uid-1') !== undefined, true);
});

test('delta: named subscriptions get only their names; wildcard and unsubscribe change what is pushed', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v1'));
  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'v1'));
  const client = startClient(server.address);
  const one = new WatchRecorder<Address__Output>();
  const stopOne = client.watch(A, 'uid-1', one);
  await one.waitFor('uid-1', (e) => e.length === 1);
  await client.ready(A);
  assert.deepEqual([...client.versions(A).keys()], ['uid-1']);
  assert.deepEqual(server.xds.syncz()[0]?.subscribed, ['uid-1']);

  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'v2', 'pod-v2'));
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v2', 'pod-v2'));
  await one.waitFor('uid-1 v2', (e) => e.length === 2);
  assert.equal(client.versions(A).has('uid-2'), false, 'uid-2 is not subscribed and must not be sent');

  const all = new WatchRecorder<Address__Output>();
  client.watch(A, '*', all);
  await all.waitFor('both', (e) => new Set(e.map((x) => x.name)).size === 2);
  assert.equal(server.xds.syncz()[0]?.subscribed, '*');

  stopOne();
  await waitUntil('the unsubscribe', () => {
    const subscribed = server.xds.syncz()[0];
    return subscribed !== undefined && server.xds.connections()[0]?.types.get(A)?.names.size === 0;
  });
});

test('delta: a type the server does not serve is ignored without harming the others', async () => {
  const server = await startServer({ typeUrls: [A] });
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'v1'));
  const cluster = protoResourceType(harness.codec, TYPE_URL.CLUSTER);
  const client = startClient(server.address, { types: [addressType(harness.codec), cluster] });
  client.watch(TYPE_URL.CLUSTER, '*', new WatchRecorder());
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('uid-1', (e) => e.length === 1);
  await waitUntil('the ignored type', () => server.xds.connections()[0]?.ignoredTypeUrls.has(TYPE_URL.CLUSTER) === true);
  assert.deepEqual(server.xds.syncz().map((r) => r.typeUrl), [A]);
});

test('delta: the client NACKs a response of a type it never registered, naming the type', async () => {
  const { loadAdsService } = await import('./ads-service.ts');
  const nacks: string[] = [];
  const raw = new grpc.Server();
  raw.addService(loadAdsService().definition, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<Record<string, unknown>, unknown>) => {
      call.on('data', (request: { response_nonce: string; error_detail: { message: string } | null }) => {
        if (request.response_nonce === 'n-1' && request.error_detail !== null) nacks.push(request.error_detail.message);
        if (request.response_nonce === '') {
          call.write({ type_url: 'type.googleapis.com/example.Unknown', nonce: 'n-1', resources: [] });
        }
      });
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    raw.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  harness.onCleanup(() => raw.forceShutdown());
  const client = startClient(`127.0.0.1:${port}`);
  client.watch(A, '*', new WatchRecorder());
  await waitUntil('the NACK', () => nacks.length === 1);
  assert.equal(nacks[0], 'unknown type URL "type.googleapis.com/example.Unknown"');
});

test('delta: the authentication hook sees the metadata, and a refusal ends the stream with UNAUTHENTICATED', async () => {
  const server = await startServer({
    authenticate: ({ metadata }) => {
      const auth = metadata.get('authorization')[0];
      if (auth !== 'Bearer good') throw new Error('bad token');
      return { sa: 'ztunnel' };
    },
  });
  const refused = startClient(server.address, { metadata: { authorization: 'Bearer bad' } });
  refused.watch(A, '*', new WatchRecorder());
  await waitUntil('the refusal', () => refused.status().lastError.includes('bad token'));
  assert.match(refused.status().lastError, /UNAUTHENTICATED/);
  refused.close();

  const accepted = startClient(server.address, { metadata: () => ({ authorization: 'Bearer good' }) });
  accepted.watch(A, '*', new WatchRecorder());
  await accepted.ready(A);
  assert.deepEqual(server.xds.connections().map((c) => c.identity), [{ sa: 'ztunnel' }]);
});
