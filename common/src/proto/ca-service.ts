// Istio's certificate service (`istio.v1.auth.IstioCertificateService`) as grpc-js objects: the service
// definition istiod serves and the client class ztunnel calls, plus the Struct metadata keys of a request.
import type * as grpc from '@grpc/grpc-js';
import type { ProtoGrpcType } from '../gen/ca.ts';
import type { IstioCertificateServiceClient, IstioCertificateServiceDefinition } from '../gen/istio/v1/auth/IstioCertificateService.ts';
import type { Struct, Struct__Output } from '../gen/google/protobuf/Struct.ts';
import { loadGrpcPackage } from './grpc-package.ts';

export type { IstioCertificateServiceClient, IstioCertificateServiceDefinition, IstioCertificateServiceHandlers } from '../gen/istio/v1/auth/IstioCertificateService.ts';
export type { IstioCertificateRequest, IstioCertificateRequest__Output } from '../gen/istio/v1/auth/IstioCertificateRequest.ts';
export type { IstioCertificateResponse, IstioCertificateResponse__Output } from '../gen/istio/v1/auth/IstioCertificateResponse.ts';

/** Full gRPC method path, as clients and logs name it. */
export const CREATE_CERTIFICATE_PATH = '/istio.v1.auth.IstioCertificateService/CreateCertificate';

/** Request metadata key: the SPIFFE ID a trusted node agent (ztunnel) asks a certificate for. */
export const IMPERSONATED_IDENTITY_KEY = 'ImpersonatedIdentity';

let loaded: ProtoGrpcType['istio']['v1']['auth'] | undefined;

function caPackage(): ProtoGrpcType['istio']['v1']['auth'] {
  loaded ??= (loadGrpcPackage(['istio/ca.proto']) as unknown as ProtoGrpcType).istio.v1.auth;
  return loaded;
}

/** The service definition to `server.addService(...)`. */
export function caServiceDefinition(): IstioCertificateServiceDefinition {
  return caPackage().IstioCertificateService.service;
}

/** A client of the certificate service. */
export function createCaClient(
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
): IstioCertificateServiceClient {
  const Client = caPackage().IstioCertificateService;
  return new Client(address, credentials, options);
}

/** A Struct of string values, e.g. `{ImpersonatedIdentity: 'spiffe://…'}` for a request's metadata. */
export function stringStruct(values: Record<string, string>): Struct {
  const fields: NonNullable<Struct['fields']> = {};
  for (const [key, value] of Object.entries(values)) fields[key] = { stringValue: value, kind: 'stringValue' };
  return { fields };
}

/** The string value of `key` in a decoded Struct; undefined when absent or not a string. */
export function structString(struct: Struct__Output | null | undefined, key: string): string | undefined {
  const value = struct?.fields?.[key];
  return value?.kind === 'stringValue' || typeof value?.stringValue === 'string' ? value.stringValue : undefined;
}
