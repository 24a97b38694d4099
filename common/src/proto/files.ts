/**
 * The proto files the mesh loads, at run time (codec, gRPC services) and by `npm run gen` (TypeScript types).
 * Istio's protos live in common/proto; Envoy's come from the `deps/` folder of @grpc/grpc-js-xds, the one npm
 * package that ships them.
 */
export const ISTIO_PROTO_FILES = [
  'istio/workload.proto',
  'istio/authorization.proto',
  'istio/zds.proto',
  'istio/ca.proto',
] as const;

export const ENVOY_PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
] as const;

export const PROTO_FILES = [...ISTIO_PROTO_FILES, ...ENVOY_PROTO_FILES] as const;

/** The aggregated discovery service every xDS client and server speaks. */
export const ADS_PROTO_FILE = 'envoy/service/discovery/v3/ads.proto';

/**
 * The file sets shipped as prebuilt descriptors (common/src/gen/descriptors/<name>.json, written by
 * `npm run gen`), smallest first: a load of files that one of them covers reads that JSON instead of parsing
 * .proto text. `istio` is what ztunnel and the CNI agent need (Istio's protos and ADS), `all` what istiod and the
 * waypoint need.
 */
export const DESCRIPTOR_SETS: readonly { readonly name: string; readonly files: readonly string[] }[] = [
  { name: 'istio', files: [...ISTIO_PROTO_FILES, ADS_PROTO_FILE] },
  { name: 'all', files: PROTO_FILES },
];

/** Folders under @grpc/grpc-js-xds/deps that Envoy's protos import from. */
export const INCLUDE_SUBDIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'] as const;
