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

/** Folders under @grpc/grpc-js-xds/deps that Envoy's protos import from. */
export const INCLUDE_SUBDIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'] as const;
