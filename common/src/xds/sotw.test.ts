// State-of-the-world ADS end to end: our XdsClient against our XdsServer over real grpc-js on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { DiscoveryResponse } from '../gen/envoy/service/discovery/v3/DiscoveryResponse.ts';
import type { Address__Output } from '../gen/istio/workload/Address.ts';
import { TYPE_URL } from '../proto/index.ts';
import { xdsHarness } from './e2e-harness.test-util.ts';
import { WatchRecorder, addressType, waitUntil, workloadAddress } from '../testing/index.ts';
import { loadAdsService } from './ads-service.ts';

const A = TYPE_URL.ADDRESS;
const harness = xdsHarness('sotw', 'sidecar~10.0.0.2~app.default~default.svc.cluster.local');
const { startServer, startClient } = harness;

test('sotw: initial push, update and removal; the server records the ACKed version_info', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'a'));
  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'a'));
  const client = startClient(server.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await client.ready(A);
  await seen.waitFor('two workloads', (e) => e.length === 2);

  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'b', 'renamed'));
  await seen.waitFor('the update', (e) => e.length === 3);
  assert.equal(seen.events.filter((e) => e.name === 'uid-1').length, 1, 'unchanged uid-1 is not reported again');

  server.store.remove(A, 'uid-1');
  await seen.waitFor('the removal', (e) => e.length === 4);
  assert.deepEqual(seen.events[3], { kind: 'remove', name: 'uid-1' });
  await waitUntil('the ACK', () => server.xds.syncz()[0]?.ackedVersion === server.store.version(A));
  const row = server.xds.syncz()[0];
  assert.equal(row?.variant, 'sotw');
  assert.equal(row?.sentVersion, '4');
  assert.equal(row?.lastNack, null);
  assert.deepEqual([...client.versions(A)], [['uid-2', '4']]);
});

test('sotw: a NACK keeps the last good value of the bad resource, applies the good ones, and names the reason', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'a', 'good-1'));
  const client = startClient(server.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('uid-1', (e) => e.length === 1);
  await waitUntil('the first ACK', () => server.xds.syncz()[0]?.ackedVersion === '1');

  // SotW names a resource from its body; a Workload without uid has no name, so the NACK names its index.
  server.store.setResources(
    A,
    new Map([
      ['uid-1', workloadAddress(harness.codec, 'uid-1', 'a', 'good-1')],
      ['bad', workloadAddress(harness.codec, '', 'a')],
      ['uid-3', workloadAddress(harness.codec, 'uid-3', 'a')],
    ]),
  );
  await seen.waitFor('uid-3', (e) => e.some((x) => x.name === 'uid-3'));
  await waitUntil('the NACK', () => server.xds.syncz()[0]?.lastNack !== null);
  const row = server.xds.syncz()[0];
  assert.match(row?.lastNack?.message ?? '', /^resource\[\d\]: /);
  assert.equal(row?.lastNack?.version, '2');
  assert.equal(row?.ackedVersion, '1', 'the NACK does not move the ACKed version');
  assert.equal(client.get<Address__Output>(A, 'uid-1')?.workload?.name, 'good-1');

  // Fixing the bad resource gives an ACK of the new version.
  server.store.remove(A, 'bad');
  await waitUntil('the ACK after the fix', () => server.xds.syncz()[0]?.ackedVersion === '3');
  assert.deepEqual([...client.versions(A).keys()].sort(), ['uid-1', 'uid-3']);
});

test('sotw: a resource that decodes and is named but fails validation keeps its last good value', async () => {
  const server = await startServer();
  const strictType = {
    ...addressType(harness.codec),
    validate: (a: Address__Output) => {
      if (a.workload?.name === 'broken') throw new Error('name is "broken"');
    },
  };
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'a', 'good'));
  const client = startClient(server.address, { types: [strictType] });
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('uid-1', (e) => e.length === 1);
  server.store.setResources(
    A,
    new Map([
      ['uid-1', workloadAddress(harness.codec, 'uid-1', 'b', 'broken')],
      ['uid-2', workloadAddress(harness.codec, 'uid-2', 'b')],
    ]),
  );
  await seen.waitFor('uid-2', (e) => e.some((x) => x.name === 'uid-2'));
  await waitUntil('the NACK', () => server.xds.syncz()[0]?.lastNack !== null);
  assert.equal(server.xds.syncz()[0]?.lastNack?.message, 'uid-1: name is "broken"');
  assert.equal(client.get<Address__Output>(A, 'uid-1')?.workload?.name, 'good');
});

test('sotw: after a server restart the client asks again and converges on the new state', async () => {
  const first = await startServer();
  const port = first.port;
  first.store.upsert(A, 'keep', workloadAddress(harness.codec, 'keep', 'a'));
  first.store.upsert(A, 'drop', workloadAddress(harness.codec, 'drop', 'a'));
  const client = startClient(first.address);
  const seen = new WatchRecorder<Address__Output>();
  client.watch(A, '*', seen);
  await seen.waitFor('two', (e) => e.length === 2);
  first.close();

  const sent: DiscoveryResponse[] = [];
  const second = await startServer({ port, onResponse: (_c, r) => sent.push(r as DiscoveryResponse) });
  second.store.upsert(A, 'keep', workloadAddress(harness.codec, 'keep', 'a'));
  await seen.waitFor('the removal of drop', (e) => e.some((x) => x.kind === 'remove' && x.name === 'drop'));
  assert.equal(seen.events.filter((e) => e.name === 'keep').length, 1, 'identical keep is not re-reported');
  assert.equal(sent[0]?.resources?.length, 1);
});

test('sotw: a named subscription gets only its names; adding the wildcard gets everything', async () => {
  const server = await startServer();
  server.store.upsert(A, 'uid-1', workloadAddress(harness.codec, 'uid-1', 'a'));
  server.store.upsert(A, 'uid-2', workloadAddress(harness.codec, 'uid-2', 'a'));
  const client = startClient(server.address);
  const one = new WatchRecorder<Address__Output>();
  client.watch(A, 'uid-1', one);
  await client.ready(A);
  await one.waitFor('uid-1', (e) => e.length === 1);
  assert.deepEqual([...client.versions(A).keys()], ['uid-1']);
  assert.deepEqual(server.xds.syncz()[0]?.subscribed, ['uid-1']);

  const all = new WatchRecorder<Address__Output>();
  client.watch(A, '*', all);
  await all.waitFor('both', (e) => new Set(e.map((x) => x.name)).size === 2);
  assert.equal(server.xds.syncz()[0]?.subscribed, '*');
  assert.equal(one.events.length, 1, 'the named watcher hears only about its name');
});

test('sotw: the client NACKs a response of a type it never registered, naming the type', async () => {
  const nacks: string[] = [];
  const raw = new grpc.Server();
  raw.addService(loadAdsService().definition, {
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', (request: { response_nonce: string; error_detail: { message: string } | null }) => {
        if (request.response_nonce === 'n-1' && request.error_detail !== null) nacks.push(request.error_detail.message);
        if (request.response_nonce === '') {
          call.write({ type_url: 'type.googleapis.com/example.Unknown', version_info: '1', nonce: 'n-1', resources: [] });
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
