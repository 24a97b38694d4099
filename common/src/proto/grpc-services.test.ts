// Our service definitions against @grpc/proto-loader's (the reference they replace): same methods, paths and
// streaming flags, same bytes on the wire and the same decoded objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as protoLoader from '@grpc/proto-loader';
import type * as grpc from '@grpc/grpc-js';
import { ProtoCodec } from './codec.ts';
import { ADS_PROTO_FILE } from './files.ts';
import { GRPC_LOADER_OPTIONS, loadGrpcPackage } from './grpc-package.ts';
import { serviceDefinitionOf, servicesOf } from './grpc-services.ts';
import { protoIncludeDirs } from './paths.ts';
import { stringStruct } from './ca-service.ts';

const reference = protoLoader.loadSync([ADS_PROTO_FILE, 'istio/ca.proto'], { ...GRPC_LOADER_OPTIONS, includeDirs: protoIncludeDirs() });
const root = ProtoCodec.load([ADS_PROTO_FILE, 'istio/ca.proto']).root;
const services = servicesOf(root);

const ADS = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
const CA = 'istio.v1.auth.IstioCertificateService';

function ours(name: string): grpc.ServiceDefinition {
  const service = services.get(name);
  assert.ok(service, `${name} not found`);
  return serviceDefinitionOf(service);
}

test('the services of a root are found by full name', () => {
  assert.ok(services.has(ADS));
  assert.ok(services.has(CA));
});

for (const name of [ADS, CA]) {
  test(`${name}: methods, paths and streaming flags as proto-loader has them`, () => {
    const theirs = reference[name] as protoLoader.ServiceDefinition;
    const mine = ours(name);
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
    for (const [method, def] of Object.entries(theirs)) {
      const m = mine[method] as grpc.MethodDefinition<object, object>;
      assert.equal(m.path, def.path);
      assert.equal(m.requestStream, def.requestStream);
      assert.equal(m.responseStream, def.responseStream);
      assert.equal(m.originalName, def.originalName);
    }
  });
}

const CASES: { service: string; method: string; side: 'request' | 'response'; value: object }[] = [
  {
    service: ADS,
    method: 'DeltaAggregatedResources',
    side: 'request',
    value: {
      node: { id: 'ztunnel~10.0.0.1~ztunnel-a.istio-system~istio-system.svc.cluster.local', metadata: stringStruct({ NAMESPACE: 'istio-system' }) },
      type_url: 'type.googleapis.com/istio.workload.Address',
      resource_names_subscribe: ['*'],
      initial_resource_versions: { a: '1' },
      response_nonce: 'n1',
    },
  },
  {
    service: ADS,
    method: 'DeltaAggregatedResources',
    side: 'response',
    value: {
      system_version_info: 'v7',
      type_url: 'type.googleapis.com/istio.workload.Address',
      resources: [{ name: 'a', version: '3', resource: { type_url: 'type.googleapis.com/istio.workload.Address', value: Buffer.from([10, 1, 97]) } }],
      removed_resources: ['b'],
      nonce: 'n2',
    },
  },
  {
    service: CA,
    method: 'CreateCertificate',
    side: 'request',
    value: { csr: '-----BEGIN CERTIFICATE REQUEST-----', validity_duration: '86400', metadata: stringStruct({ ImpersonatedIdentity: 'spiffe://cluster.local/ns/a/sa/b' }) },
  },
  { service: CA, method: 'CreateCertificate', side: 'response', value: { cert_chain: ['leaf', 'root'] } },
];

for (const c of CASES) {
  test(`${c.method} ${c.side}: the same bytes and the same decoded object as proto-loader's`, () => {
    const theirs = (reference[c.service] as protoLoader.ServiceDefinition)[c.method] as protoLoader.MethodDefinition<object, object>;
    const mine = ours(c.service)[c.method] as grpc.MethodDefinition<object, object>;
    const [serialize, refSerialize, deserialize, refDeserialize] =
      c.side === 'request'
        ? [mine.requestSerialize, theirs.requestSerialize, mine.requestDeserialize, theirs.requestDeserialize]
        : [mine.responseSerialize, theirs.responseSerialize, mine.responseDeserialize, theirs.responseDeserialize];
    const bytes = serialize(c.value);
    assert.ok(Buffer.isBuffer(bytes));
    assert.ok(bytes.length > 0);
    assert.deepEqual(bytes, refSerialize(c.value));
    assert.deepEqual(deserialize(bytes), refDeserialize(bytes));
  });
}

test('loadGrpcPackage gives client classes whose .service is the definition', () => {
  const pkg = loadGrpcPackage(['istio/ca.proto']) as unknown as { istio: { v1: { auth: { IstioCertificateService: grpc.ServiceClientConstructor } } } };
  const Client = pkg.istio.v1.auth.IstioCertificateService;
  assert.equal(typeof Client, 'function');
  assert.equal(Client.service.CreateCertificate?.path, '/istio.v1.auth.IstioCertificateService/CreateCertificate');
  assert.equal(typeof Client.prototype.CreateCertificate, 'function');
  assert.equal(typeof Client.prototype.createCertificate, 'function');
});
