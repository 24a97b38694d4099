export { ProtoCodec, DECODE_OPTIONS, typeUrlOf, typeNameOf } from './codec.ts';
export type { AnyMessage } from './codec.ts';
export { ProtoError } from './errors.ts';
export { loadGrpcPackage, GRPC_LOADER_OPTIONS } from './grpc-package.ts';
export { TYPE_URL } from './type-urls.ts';
export { PROTO_FILES, ISTIO_PROTO_FILES, ENVOY_PROTO_FILES, ADS_PROTO_FILE, DESCRIPTOR_SETS } from './files.ts';
export { descriptorPath, descriptorSetFor } from './descriptors.ts';
export { protoIncludeDirs } from './paths.ts';
export {
  CREATE_CERTIFICATE_PATH,
  IMPERSONATED_IDENTITY_KEY,
  caServiceDefinition,
  createCaClient,
  stringStruct,
  structString,
} from './ca-service.ts';
export type {
  IstioCertificateRequest,
  IstioCertificateRequest__Output,
  IstioCertificateResponse,
  IstioCertificateResponse__Output,
  IstioCertificateServiceClient,
  IstioCertificateServiceDefinition,
  IstioCertificateServiceHandlers,
} from './ca-service.ts';
