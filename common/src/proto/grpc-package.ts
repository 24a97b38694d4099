import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { grpcPackageOf } from './grpc-services.ts';
import { ProtoCodec } from './codec.ts';

/**
 * The message shape gRPC services hand out and take (`@grpc/proto-loader`'s options that match
 * ProtoCodec.decode and the generated types in common/src/gen). Services are built from our own protobufjs
 * root (grpc-services.ts), which decodes with exactly these options; proto-loader itself is only used by
 * `npm run gen` and by programs that load it on their own.
 */
export const GRPC_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/**
 * Loads proto files as a gRPC package (for services: ADS, the CA), resolving imports like ProtoCodec does:
 * `pkg.a.b.Service` is a grpc-js client class with `.service`, the definition a server adds.
 */
export function loadGrpcPackage(files: readonly string[]): grpc.GrpcObject {
  return grpcPackageOf(ProtoCodec.load(files).root);
}
