import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { protoIncludeDirs } from './paths.ts';

/**
 * Options for @grpc/proto-loader that give messages the same shape as ProtoCodec.decode and the generated types.
 */
export const GRPC_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Loads proto files as a gRPC package (for services: ADS, the CA), resolving imports like ProtoCodec does. */
export function loadGrpcPackage(files: readonly string[]): grpc.GrpcObject {
  const definition = protoLoader.loadSync([...files], { ...GRPC_LOADER_OPTIONS, includeDirs: protoIncludeDirs() });
  return grpc.loadPackageDefinition(definition);
}
