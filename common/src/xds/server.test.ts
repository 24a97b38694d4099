// XdsServer edge cases, driven by a raw grpc-js ADS stream so each request is exactly what the test says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { DeltaDiscoveryResponse__Output } from '../gen/envoy/service/discovery/v3/DeltaDiscoveryResponse.ts';
import type { DiscoveryResponse__Output } from '../gen/envoy/service/discovery/v3/DiscoveryResponse.ts';
import { ProtoCodec, TYPE_URL } from '../proto/index.ts';
import { FakeXdsServer, waitUntil, workloadAddress } from '../testing/index.ts';
import { loadAdsService } from './ads-service.ts';
import type { XdsConnection, XdsServerOptions } from './index.ts';

const A = TYPE_URL.ADDRESS;
let codec: ProtoCodec;
const cleanups: (() => void)[] = [];

before(() => {
  codec = ProtoCodec.load();
});
after(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

interface RawStream<Res> {
  call: grpc.ClientDuplexStream<object, Res>;
  responses: Res[];
  status: grpc.StatusObject | null;
}

async function setup(
  method: 'DeltaAggregatedResources' | 'StreamAggregatedResources',
  options: XdsServerOptions = {},
): Promise<{ server: FakeXdsServer; raw: RawStream<Record<string, unknown>> }> {
  const server = await FakeXdsServer.start(options);
  cleanups.push(() => server.close());
  const { Client } = loadAdsService();
  const client = new Client(server.address, grpc.credentials.createInsecure()) as unknown as Record<
    string,
    () => grpc.ClientDuplexStream<object, Record<string, unknown>>
  > & { close(): void };
  const call = client[method]?.call(client) as grpc.ClientDuplexStream<object, Record<string, unknown>>;
  const raw: RawStream<Record<string, unknown>> = { call, responses: [], status: null };
  call.on('data', (r: Record<string, unknown>) => raw.responses.push(r));
  call.on('error', () => {});
  call.on('status', (s: grpc.StatusObject) => (raw.status = s));
  cleanups.push(() => {
    call.cancel();
    client.close();
  });
  return { server, raw };
}

test('delta server: named subscription with initial_resource_versions reports what the server lacks', async () => {
  const { server, raw } = await setup('DeltaAggregatedResources');
  server.store.upsert(A, 'have', workloadAddress(codec, 'have', 'v1'));
  server.store.upsert(A, 'other', workloadAddress(codec, 'other', 'v1'));
  raw.call.write({
    node: { id: 'n1' },
    type_url: A,
    resource_names_subscribe: ['have', 'gone'],
    initial_resource_versions: { have: 'v0', gone: 'v0' },
  });
  await waitUntil('the first response', () => raw.responses.length === 1);
  const first = raw.responses[0] as unknown as DeltaDiscoveryResponse__Output;
  assert.deepEqual(first.resources.map((r) => [r.name, r.version]), [['have', 'v1']]);
  assert.deepEqual(first.removed_resources, ['gone']);

  // An ACK with a stale nonce changes nothing; the real one is recorded.
  raw.call.write({ type_url: A, response_nonce: 'not-a-nonce' });
  raw.call.write({ type_url: A, response_nonce: first.nonce });
  await waitUntil('the ACK', () => server.xds.syncz()[0]?.ackedVersion === server.store.version(A));
  assert.equal(server.xds.syncz()[0]?.nodeId, 'n1');
});

test('delta server: requests without or with an unserved type URL are ignored and the stream keeps working', async () => {
  const { server, raw } = await setup('DeltaAggregatedResources', { typeUrls: [A] });
  server.store.upsert(A, 'w', workloadAddress(codec, 'w', 'v1'));
  raw.call.write({ node: { id: 'n2' }, type_url: '' });
  raw.call.write({ type_url: 'type.googleapis.com/nobody.Serves' });
  raw.call.write({ type_url: A });
  await waitUntil('the Address response', () => raw.responses.length === 1);
  assert.equal(raw.responses[0]?.type_url, A);
  assert.equal(raw.status, null, 'the stream is still open');
  assert.deepEqual([...(server.xds.connections()[0]?.ignoredTypeUrls ?? [])].sort(), ['', 'type.googleapis.com/nobody.Serves']);
});

test('sotw server: a stale nonce is ignored, a changed name list is answered, connect/disconnect fire', async () => {
  const events: string[] = [];
  const { server, raw } = await setup('StreamAggregatedResources', {
    onConnect: (c: XdsConnection) => events.push(`connect ${c.node?.id}`),
    onDisconnect: (c: XdsConnection) => events.push(`disconnect ${c.node?.id}`),
  });
  server.store.upsert(A, 'a', workloadAddress(codec, 'a', 'v1'));
  server.store.upsert(A, 'b', workloadAddress(codec, 'b', 'v1'));
  raw.call.write({ node: { id: 'n3' }, type_url: A, resource_names: ['a'] });
  await waitUntil('the first response', () => raw.responses.length === 1);
  const first = raw.responses[0] as unknown as DiscoveryResponse__Output;
  assert.equal(first.resources.length, 1);

  raw.call.write({ type_url: A, resource_names: ['a', 'b'], response_nonce: 'stale', version_info: '' });
  raw.call.write({ type_url: A, resource_names: ['a', 'b'], response_nonce: first.nonce, version_info: first.version_info });
  await waitUntil('the second response', () => raw.responses.length === 2);
  assert.equal((raw.responses[1] as unknown as DiscoveryResponse__Output).resources.length, 2);
  assert.equal(server.xds.syncz()[0]?.ackedVersion, first.version_info);

  raw.call.end();
  await waitUntil('the disconnect', () => events.length === 2);
  assert.deepEqual(events, ['connect n3', 'disconnect n3']);
  assert.equal(server.xds.connections().length, 0);
});

test('delta and sotw servers: onNack reports each NACK with the type and the client message', async () => {
  for (const method of ['DeltaAggregatedResources', 'StreamAggregatedResources'] as const) {
    const nacks: string[] = [];
    const { server, raw } = await setup(method, { onNack: (_c, typeUrl, nack) => nacks.push(`${typeUrl} ${nack.message}`) });
    server.store.upsert(A, 'w', workloadAddress(codec, 'w', 'v1'));
    raw.call.write({ node: { id: 'nack' }, type_url: A });
    await waitUntil('the first response', () => raw.responses.length === 1);
    const nonce = raw.responses[0]?.nonce as string;
    raw.call.write({ type_url: A, response_nonce: nonce, error_detail: { code: 3, message: 'w: bad' } });
    await waitUntil(`the NACK (${method})`, () => nacks.length === 1);
    assert.deepEqual(nacks, [`${A} w: bad`]);
    assert.equal(server.xds.connections()[0]?.types.get(A)?.lastNack?.message, 'w: bad');
  }
});

test('authorizeNode refuses a stream with PERMISSION_DENIED before any response, and it never counts as connected', async () => {
  const connects: string[] = [];
  const { server, raw } = await setup('DeltaAggregatedResources', {
    authorizeNode: (conn) => {
      if (conn.node?.id !== 'good') throw new Error(`node ${conn.node?.id} may not connect`);
    },
    onConnect: (conn) => connects.push(conn.node?.id ?? ''),
  });
  server.store.upsert(A, 'w', workloadAddress(codec, 'w', 'v1'));
  raw.call.write({ node: { id: 'bad' }, type_url: A });
  await waitUntil('the refusal', () => raw.status !== null);
  assert.equal(raw.status?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(raw.status?.details, 'node bad may not connect');
  assert.equal(raw.responses.length, 0);
  assert.deepEqual(connects, []);
  assert.equal(server.xds.connections().length, 0);
  server.store.upsert(A, 'w2', workloadAddress(codec, 'w2', 'v1')); // a later change must not reach the refused stream
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(raw.responses.length, 0);
});
