import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProtoCodec } from './codec.ts';
import { descriptorPath, descriptorSetFor, prebuiltRoot } from './descriptors.ts';
import { ADS_PROTO_FILE, DESCRIPTOR_SETS, ISTIO_PROTO_FILES } from './files.ts';

for (const set of DESCRIPTOR_SETS) {
  test(`the prebuilt ${set.name} descriptor is what its .proto files parse to (else: npm run gen)`, () => {
    const committed: unknown = JSON.parse(readFileSync(descriptorPath(set.name), 'utf8'));
    const parsed: unknown = JSON.parse(JSON.stringify(ProtoCodec.parse(set.files).root.toJSON()));
    assert.deepEqual(committed, parsed, `${descriptorPath(set.name)} is out of date: run npm run gen`);
  });
}

test('a load is served by the smallest prebuilt set that has every file', () => {
  assert.equal(descriptorSetFor(ISTIO_PROTO_FILES), 'istio');
  assert.equal(descriptorSetFor(['istio/zds.proto', ADS_PROTO_FILE]), 'istio');
  assert.equal(descriptorSetFor(['istio/zds.proto', 'envoy/config/listener/v3/listener.proto']), 'all');
  assert.equal(descriptorSetFor(['istio/zds.proto', 'google/protobuf/empty.proto']), undefined);
  assert.equal(ProtoCodec.load(['istio/zds.proto']).root, prebuiltRoot('istio'));
  assert.equal(ProtoCodec.load().root, prebuiltRoot('all'));
});

test('a file no prebuilt set has is parsed from its .proto', () => {
  const codec = ProtoCodec.load(['istio/zds.proto', 'google/protobuf/empty.proto']);
  assert.notEqual(codec.root, prebuiltRoot('istio'));
  assert.notEqual(codec.root, prebuiltRoot('all'));
  assert.ok(codec.type('google.protobuf.Empty'));
  assert.ok(codec.type('istio.workload.zds.WorkloadRequest'));
});

test('the prebuilt and the parsed root encode and decode alike', () => {
  const prebuilt = ProtoCodec.load(ISTIO_PROTO_FILES);
  const parsed = ProtoCodec.parse(ISTIO_PROTO_FILES);
  const address = {
    workload: {
      uid: 'Kubernetes//Pod/ns/a',
      name: 'a',
      namespace: 'ns',
      addresses: [Buffer.from([10, 0, 0, 1])],
      tunnel_protocol: 'HBONE',
      services: { 'ns/svc.ns.svc.cluster.local': { ports: [{ service_port: 80, target_port: 8080 }] } },
    },
  };
  const bytes = prebuilt.encode('istio.workload.Address', address);
  assert.deepEqual(bytes, parsed.encode('istio.workload.Address', address));
  const decoded = prebuilt.decode<{ workload: { name: string; tunnel_protocol: string; services: Record<string, { ports: { target_port: number }[] }> } }>(
    'istio.workload.Address',
    bytes,
  );
  assert.equal(decoded.workload.name, 'a');
  assert.equal(decoded.workload.tunnel_protocol, 'HBONE');
  assert.equal(decoded.workload.services['ns/svc.ns.svc.cluster.local']?.ports[0]?.target_port, 8080);
  assert.deepEqual(decoded, parsed.decode('istio.workload.Address', bytes));
});
