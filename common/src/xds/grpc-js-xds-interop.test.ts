// External check: @grpc/grpc-js-xds (an xDS client we did not write) resolves `xds:///echo.test` from our
// XdsServer over SotW ADS (the only variant it speaks) and makes a real unary call through the result.
// Runs in its own process (node --test isolates files): grpc-js-xds reads its bootstrap once, at first use.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ProtoCodec, TYPE_URL } from '../proto/index.ts';
import { FakeXdsServer, waitUntil } from '../testing/index.ts';
import type { StoredResource } from './index.ts';

const ECHO_PROTO = `
syntax = "proto3";
package meshtest;
message EchoMessage { string text = 1; }
service Echo { rpc Say(EchoMessage) returns (EchoMessage); }
`;

type EchoClient = grpc.Client & {
  Say(req: { text: string }, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: { text: string }) => void): void;
};

let dir = '';
let echoServer: grpc.Server | undefined;
let xds: FakeXdsServer | undefined;
let client: EchoClient | undefined;
let echoCtor: grpc.ServiceClientConstructor;
let echoPort = 0;
const sotwTypesSeen = new Set<string>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xds-interop-'));
  writeFileSync(join(dir, 'echo.proto'), ECHO_PROTO);
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(join(dir, 'echo.proto'))) as Record<string, grpc.GrpcObject>;
  echoCtor = pkg.meshtest?.Echo as grpc.ServiceClientConstructor;
  echoServer = new grpc.Server();
  echoServer.addService(echoCtor.service, {
    Say: (call: grpc.ServerUnaryCall<{ text: string }, unknown>, cb: grpc.sendUnaryData<{ text: string }>) =>
      cb(null, { text: `echo: ${call.request.text}` }),
  });
  echoPort = await bind(echoServer);
  xds = await FakeXdsServer.start({
    onResponse: (conn, response) => {
      if (conn.variant === 'sotw' && response.type_url !== undefined) sotwTypesSeen.add(response.type_url);
    },
  });
});

after(() => {
  client?.close();
  xds?.close();
  echoServer?.forceShutdown();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('grpc-js-xds resolves xds:///echo.test from our server and calls the echo server through it', async () => {
  const codec = ProtoCodec.load();
  const server = xds as FakeXdsServer;
  const put = (typeUrl: string, name: string, typeName: string, value: object): void => {
    const entry: StoredResource = { version: '1', resource: codec.pack(typeName, value) };
    server.store.upsert(typeUrl, name, entry);
  };
  put(TYPE_URL.LISTENER, 'echo.test', 'envoy.config.listener.v3.Listener', {
    name: 'echo.test',
    api_listener: {
      api_listener: codec.pack('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
        rds: { route_config_name: 'echo-route', config_source: { ads: {} } },
        http_filters: [{ name: 'router', typed_config: codec.pack('envoy.extensions.filters.http.router.v3.Router', {}) }],
      }),
    },
  });
  put(TYPE_URL.ROUTE_CONFIGURATION, 'echo-route', 'envoy.config.route.v3.RouteConfiguration', {
    name: 'echo-route',
    virtual_hosts: [
      { name: 'echo-vh', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: 'echo-cluster' } }] },
    ],
  });
  put(TYPE_URL.CLUSTER, 'echo-cluster', 'envoy.config.cluster.v3.Cluster', {
    name: 'echo-cluster',
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {} } },
    lb_policy: 'ROUND_ROBIN',
  });
  put(TYPE_URL.CLUSTER_LOAD_ASSIGNMENT, 'echo-cluster', 'envoy.config.endpoint.v3.ClusterLoadAssignment', {
    cluster_name: 'echo-cluster',
    endpoints: [
      {
        locality: { region: 'test-region', zone: 'test-zone', sub_zone: '' },
        load_balancing_weight: { value: 1 },
        lb_endpoints: [
          {
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: echoPort } } },
            load_balancing_weight: { value: 1 },
          },
        ],
      },
    ],
  });

  // grpc-js-xds reads this at its first xDS channel; it is test setup, not library configuration.
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
    xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: 'interop-client', locality: {} },
  });
  const grpcXds = (await import('@grpc/grpc-js-xds')) as { register(): void; default?: { register(): void } };
  (grpcXds.register ?? grpcXds.default?.register)?.call(grpcXds);

  client = new echoCtor('xds:///echo.test', grpc.credentials.createInsecure()) as unknown as EchoClient;
  const reply = await new Promise<{ text: string }>((resolve, reject) => {
    (client as EchoClient).Say({ text: 'hello' }, { deadline: Date.now() + 10_000 }, (err, res) =>
      err !== null || res === undefined ? reject(err ?? new Error('no reply')) : resolve(res),
    );
  });
  assert.equal(reply.text, 'echo: hello');

  // It spoke SotW to us, and ACKed the current version of all four types.
  assert.deepEqual(
    [...sotwTypesSeen].sort(),
    [TYPE_URL.CLUSTER, TYPE_URL.CLUSTER_LOAD_ASSIGNMENT, TYPE_URL.LISTENER, TYPE_URL.ROUTE_CONFIGURATION].sort(),
  );
  await waitUntil('ACKs of all four types', () => server.xds.syncz().filter((r) => r.ackedVersion !== '').length === 4);
  for (const row of server.xds.syncz()) {
    assert.equal(row.nodeId, 'interop-client');
    assert.equal(row.ackedVersion, server.store.version(row.typeUrl), row.typeUrl);
    assert.equal(row.lastNack, null, row.typeUrl);
  }
});

function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err === null ? resolve(port) : reject(err),
    ),
  );
}
