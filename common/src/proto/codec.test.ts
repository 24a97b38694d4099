import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoCodec, typeNameOf, typeUrlOf } from './codec.ts';
import { TYPE_URL } from './type-urls.ts';
import { hasCode } from '../errors.ts';
import { bytes, cat, msg, packed, str, vint } from './wire-writer.test-util.ts';
import type { Address__Output } from '../gen/istio/workload/Address.ts';
import type { Authorization__Output } from '../gen/istio/security/Authorization.ts';
import type { WorkloadRequest__Output } from '../gen/istio/workload/zds/WorkloadRequest.ts';
import type { IstioCertificateRequest__Output } from '../gen/istio/v1/auth/IstioCertificateRequest.ts';

let codec: ProtoCodec;
before(() => {
  codec = ProtoCodec.load();
});

const ip = (...octets: number[]) => Buffer.from(octets);

interface RoundTripCase {
  name: string;
  type: string;
  value: object;
  /** The bytes an independent encoder produces for `value` (canonical field order). */
  wire: Buffer;
  /** Checks on the decoded object, in the generated __Output shape. */
  check: (decoded: never) => void;
}

const CASES: RoundTripCase[] = [
  {
    name: 'Address with a Workload: scalars, bytes, enum, map, wrapper',
    type: 'istio.workload.Address',
    value: {
      workload: {
        name: 'echo-1',
        namespace: 'default',
        addresses: [ip(10, 244, 1, 5)],
        tunnel_protocol: 'HBONE',
        service_account: 'echo',
        node: 'node-1',
        workload_type: 'POD',
        uid: 'Kubernetes//Pod/default/echo-1',
        services: { 'default/echo.default.svc.cluster.local': { ports: [{ service_port: 80, target_port: 8080 }] } },
        capacity: { value: 3 },
      },
    },
    wire: msg(
      1,
      str(1, 'echo-1'),
      str(2, 'default'),
      bytes(3, ip(10, 244, 1, 5)),
      vint(5, 1),
      str(7, 'echo'),
      str(9, 'node-1'),
      vint(12, 2),
      str(20, 'Kubernetes//Pod/default/echo-1'),
      msg(22, str(1, 'default/echo.default.svc.cluster.local'), msg(2, msg(1, vint(1, 80), vint(2, 8080)))),
      msg(27, vint(1, 3)),
    ),
    check: (d: Address__Output) => {
      assert.equal(d.type, 'workload');
      const w = d.workload!;
      assert.equal(w.uid, 'Kubernetes//Pod/default/echo-1');
      assert.deepEqual(w.addresses, [ip(10, 244, 1, 5)]);
      assert.equal(w.tunnel_protocol, 'HBONE');
      assert.equal(w.workload_type, 'POD');
      assert.equal(w.status, 'HEALTHY', 'an absent enum decodes to its zero value');
      assert.equal(w.trust_domain, '', 'an absent string decodes to empty');
      assert.equal(w.services['default/echo.default.svc.cluster.local']?.ports[0]?.target_port, 8080);
      assert.equal(w.capacity?.value, 3);
    },
  },
  {
    name: 'Address with a Service: IPv6 network address, waypoint by hostname, SANs',
    type: 'istio.workload.Address',
    value: {
      service: {
        name: 'echo',
        namespace: 'default',
        hostname: 'echo.default.svc.cluster.local',
        addresses: [{ network: '', address: Buffer.from('fd000000000000000000000000000010', 'hex') }],
        ports: [{ service_port: 80, target_port: 8080, app_protocol: 'HTTP11' }],
        subject_alt_names: ['spiffe://cluster.local/ns/default/sa/echo'],
        waypoint: { hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' }, hbone_mtls_port: 15008 },
      },
    },
    wire: msg(
      2,
      str(1, 'echo'),
      str(2, 'default'),
      str(3, 'echo.default.svc.cluster.local'),
      msg(4, bytes(2, Buffer.from('fd000000000000000000000000000010', 'hex'))),
      msg(5, vint(1, 80), vint(2, 8080), vint(3, 1)),
      str(6, 'spiffe://cluster.local/ns/default/sa/echo'),
      msg(7, msg(1, str(1, 'default'), str(2, 'waypoint.default.svc.cluster.local')), vint(3, 15008)),
    ),
    check: (d: Address__Output) => {
      assert.equal(d.type, 'service');
      const s = d.service!;
      assert.equal(s.addresses[0]?.address.length, 16);
      assert.equal(s.ports[0]?.app_protocol, 'HTTP11');
      assert.equal(s.waypoint?.destination, 'hostname');
      assert.equal(s.waypoint?.hostname?.hostname, 'waypoint.default.svc.cluster.local');
      assert.equal(s.waypoint?.hbone_mtls_port, 15008);
    },
  },
  {
    name: 'Authorization: DENY with principals, presence, packed ports, CIDR',
    type: 'istio.security.Authorization',
    value: {
      name: 'deny-sleep',
      namespace: 'default',
      scope: 'NAMESPACE',
      action: 'DENY',
      groups: [
        {
          rules: [
            {
              matches: [
                {
                  principals: [{ exact: 'cluster.local/ns/default/sa/sleep' }, { prefix: 'cluster.local/ns/test/' }],
                  not_principals: [{ presence: {} }],
                  source_ips: [{ address: ip(10, 0, 0, 0), length: 8 }],
                  destination_ports: [80, 8080],
                },
              ],
            },
          ],
        },
      ],
      dry_run: true,
    },
    wire: cat(
      str(1, 'deny-sleep'),
      str(2, 'default'),
      vint(3, 1),
      vint(4, 1),
      msg(
        5,
        msg(
          1,
          msg(
            2,
            msg(3, str(1, 'cluster.local/ns/default/sa/sleep')),
            msg(3, str(2, 'cluster.local/ns/test/')),
            msg(4, msg(4)),
            msg(5, bytes(1, ip(10, 0, 0, 0)), vint(2, 8)),
            packed(9, [80, 8080]),
          ),
        ),
      ),
      vint(6, true),
    ),
    check: (d: Authorization__Output) => {
      assert.equal(d.action, 'DENY');
      assert.equal(d.scope, 'NAMESPACE');
      assert.equal(d.dry_run, true);
      const m = d.groups[0]?.rules[0]?.matches[0];
      assert.ok(m);
      assert.equal(m.principals[0]?.match_type, 'exact');
      assert.equal(m.principals[1]?.prefix, 'cluster.local/ns/test/');
      assert.equal(m.not_principals[0]?.match_type, 'presence');
      assert.deepEqual(m.destination_ports, [80, 8080]);
      assert.equal(m.source_ips[0]?.length, 8);
    },
  },
  {
    name: 'ZDS WorkloadRequest add with WorkloadInfo',
    type: 'istio.workload.zds.WorkloadRequest',
    value: { add: { uid: 'uid-1', workload_info: { name: 'echo-1', namespace: 'default', service_account: 'echo' } } },
    wire: msg(1, str(1, 'uid-1'), msg(2, str(1, 'echo-1'), str(2, 'default'), str(3, 'echo'))),
    check: (d: WorkloadRequest__Output) => {
      assert.equal(d.payload, 'add');
      assert.equal(d.add?.workload_info?.service_account, 'echo');
    },
  },
  {
    name: 'ZDS WorkloadRequest del uses field 2 for uid',
    type: 'istio.workload.zds.WorkloadRequest',
    value: { del: { uid: 'uid-1' } },
    wire: msg(2, str(2, 'uid-1')),
    check: (d: WorkloadRequest__Output) => {
      assert.equal(d.payload, 'del');
      assert.equal(d.del?.uid, 'uid-1');
    },
  },
  {
    name: 'ZDS snapshot_sent is an empty message at field 3; keep is field 5',
    type: 'istio.workload.zds.WorkloadRequest',
    value: { snapshot_sent: {} },
    wire: msg(3),
    check: (d: WorkloadRequest__Output) => assert.equal(d.payload, 'snapshot_sent'),
  },
  {
    name: 'ZDS keep',
    type: 'istio.workload.zds.WorkloadRequest',
    value: { keep: { uid: 'uid-2' } },
    wire: msg(5, str(1, 'uid-2')),
    check: (d: WorkloadRequest__Output) => assert.equal(d.keep?.uid, 'uid-2'),
  },
  {
    name: 'ZDS hello V1 and a NACK response',
    type: 'istio.workload.zds.ZdsHello',
    value: { version: 'V1' },
    wire: vint(1, 1),
    check: (d: { version: string }) => assert.equal(d.version, 'V1'),
  },
  {
    name: 'ZDS WorkloadResponse with an error ack',
    type: 'istio.workload.zds.WorkloadResponse',
    value: { ack: { error: 'netns fd is not a network namespace' } },
    wire: msg(1, str(1, 'netns fd is not a network namespace')),
    check: (d: { payload: string; ack: { error: string } }) => {
      assert.equal(d.payload, 'ack');
      assert.match(d.ack.error, /not a network namespace/);
    },
  },
  {
    name: 'CA request: PEM CSR, int64 validity, Struct metadata',
    type: 'istio.v1.auth.IstioCertificateRequest',
    value: {
      csr: '-----BEGIN CERTIFICATE REQUEST-----\n',
      validity_duration: '86400',
      // google.protobuf well-known types come from protobufjs's built-in definitions, in camelCase.
      metadata: { fields: { ImpersonatedIdentity: { stringValue: 'spiffe://cluster.local/ns/default/sa/echo' } } },
    },
    wire: cat(
      str(1, '-----BEGIN CERTIFICATE REQUEST-----\n'),
      vint(3, 86400),
      msg(4, msg(1, str(1, 'ImpersonatedIdentity'), msg(2, str(3, 'spiffe://cluster.local/ns/default/sa/echo')))),
    ),
    check: (d: IstioCertificateRequest__Output) => {
      assert.equal(d.validity_duration, '86400', 'int64 decodes to a string');
      assert.equal(d.metadata?.fields['ImpersonatedIdentity']?.stringValue, 'spiffe://cluster.local/ns/default/sa/echo');
    },
  },
  {
    name: 'CA response: chain in order',
    type: 'istio.v1.auth.IstioCertificateResponse',
    value: { cert_chain: ['leaf\n', 'root\n'] },
    wire: cat(str(1, 'leaf\n'), str(1, 'root\n')),
    check: (d: { cert_chain: string[] }) => assert.deepEqual(d.cert_chain, ['leaf\n', 'root\n']),
  },
];

for (const c of CASES) {
  test(`round trip: ${c.name}`, () => {
    const encoded = codec.encode(c.type, c.value);
    assert.equal(encoded.toString('hex'), c.wire.toString('hex'), 'encoding matches the independent encoder');
    const decoded = codec.decode(c.type, c.wire);
    c.check(decoded as never);
    assert.equal(codec.encode(c.type, decoded).toString('hex'), c.wire.toString('hex'), 'decode then encode is stable');
  });
}

test('an unpacked repeated uint32 (as older encoders write it) decodes the same as a packed one', () => {
  const unpacked = msg(5, msg(1, msg(2, vint(9, 80), vint(9, 443))));
  const d = codec.decode<Authorization__Output>('istio.security.Authorization', unpacked);
  assert.deepEqual(d.groups[0]?.rules[0]?.matches[0]?.destination_ports, [80, 443]);
});

test('unknown fields are skipped, not fatal (forward compatibility)', () => {
  const withFuture = cat(msg(1, str(20, 'uid-9'), str(99, 'a field from a newer istiod')));
  const d = codec.decode<Address__Output>('istio.workload.Address', withFuture);
  assert.equal(d.workload?.uid, 'uid-9');
});

test('pack and unpack through Any by type URL', () => {
  const any = codec.pack('istio.workload.Address', { workload: { uid: 'u' } });
  assert.equal(any.type_url, TYPE_URL.ADDRESS);
  const back = codec.unpack<Address__Output>(any);
  assert.equal(back.workload?.uid, 'u');
  assert.equal(typeNameOf(TYPE_URL.LISTENER), 'envoy.config.listener.v3.Listener');
  assert.equal(typeUrlOf('istio.security.Authorization'), TYPE_URL.AUTHORIZATION);
});

test('Envoy xDS resources load and round trip (Listener with an HttpConnectionManager in Any)', () => {
  const hcm = codec.pack('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
    stat_prefix: 'svc',
    rds: { route_config_name: 'route-1', config_source: { ads: {} } },
  });
  const wire = codec.encode('envoy.config.listener.v3.Listener', { name: 'svc:8080', api_listener: { api_listener: hcm } });
  const d = codec.decode<{ name: string; api_listener: { api_listener: { type_url: string; value: Buffer } } }>(
    'envoy.config.listener.v3.Listener',
    wire,
  );
  assert.equal(d.name, 'svc:8080');
  assert.equal(d.api_listener.api_listener.type_url, TYPE_URL.HTTP_CONNECTION_MANAGER);
  const inner = codec.unpack<{ stat_prefix: string; rds: { route_config_name: string } }>(d.api_listener.api_listener);
  assert.equal(inner.rds.route_config_name, 'route-1');
});

test('bad input: malformed bytes give ERR_PROTO_DECODE naming the type', () => {
  const truncated = msg(1, str(1, 'echo-1')).subarray(0, 5);
  assert.throws(
    () => codec.decode('istio.workload.Address', truncated),
    (err: Error) => hasCode(err, 'ERR_PROTO_DECODE') && /istio\.workload\.Address/.test(err.message),
  );
  const badWireType = Buffer.from([0x0f, 0x01]); // field 1 with wire type 7, which does not exist
  assert.throws(() => codec.decode('istio.workload.Address', badWireType), (err: Error) => hasCode(err, 'ERR_PROTO_DECODE'));
});

test('bad input: an unknown type or a mismatched type URL names what was expected', () => {
  assert.throws(
    () => codec.decode('istio.workload.Nope', Buffer.alloc(0)),
    (err: Error) => hasCode(err, 'ERR_PROTO_UNKNOWN_TYPE') && /istio\.workload\.Nope/.test(err.message),
  );
  const any = codec.pack('istio.security.Authorization', { name: 'x' });
  assert.throws(
    () => codec.unpack(any, 'istio.workload.Address'),
    (err: Error) =>
      hasCode(err, 'ERR_PROTO_UNKNOWN_TYPE') && err.message.includes(TYPE_URL.ADDRESS) && err.message.includes(TYPE_URL.AUTHORIZATION),
  );
});

test('bad input: a value of the wrong kind is an ERR_PROTO_ENCODE error, not a crash', () => {
  assert.throws(
    () => codec.encode('istio.workload.Address', { workload: { addresses: 5 } }),
    (err: Error) => hasCode(err, 'ERR_PROTO_ENCODE') && /Workload\.addresses: array expected/.test(err.message),
  );
});

test('proto3 optional fields keep presence: NetworkAddress.length = 0 is written, an absent one is not', () => {
  const withZero = codec.encode('istio.workload.NetworkAddress', { address: ip(0, 0, 0, 0), length: 0 });
  assert.equal(withZero.toString('hex'), cat(bytes(2, ip(0, 0, 0, 0)), vint(3, 0)).toString('hex'));
  const without = codec.encode('istio.workload.NetworkAddress', { address: ip(0, 0, 0, 0) });
  assert.equal(without.toString('hex'), bytes(2, ip(0, 0, 0, 0)).toString('hex'));
});
