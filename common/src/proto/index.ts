export { ProtoCodec, DECODE_OPTIONS, typeUrlOf, typeNameOf } from './codec.ts';
export type { AnyMessage } from './codec.ts';
export { ProtoError } from './errors.ts';
export { loadGrpcPackage, GRPC_LOADER_OPTIONS } from './grpc-package.ts';
export { TYPE_URL } from './type-urls.ts';
export { PROTO_FILES, ISTIO_PROTO_FILES, ENVOY_PROTO_FILES } from './files.ts';
export { protoIncludeDirs } from './paths.ts';
