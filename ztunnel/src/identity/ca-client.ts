// The client of istiod's CA (`istio.v1.auth.IstioCertificateService/CreateCertificate`). In-pod mode asks for
// the pods' identities by impersonation (`ImpersonatedIdentity` metadata), authenticated by ztunnel's token.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { errorMessage } from '@mesh/common/errors';
import { loadGrpcPackage, stringStruct, IMPERSONATED_IDENTITY_KEY } from '@mesh/common/proto';
import type { GrpcEndpoint } from '../config.ts';
import { ZtunnelError } from '../errors.ts';

/** Signs one CSR for one identity; returns the chain, leaf first and root last. */
export interface CaClient {
  sign(csrPem: string, identity: string, ttlSeconds: number): Promise<string[]>;
  close(): void;
}

export interface GrpcCaClientOptions {
  readonly endpoint: GrpcEndpoint;
  readonly rootCaPath: string;
  /** Read on every request (the token file rotates). */
  readonly token: () => string | undefined;
  readonly clusterId: string;
  readonly timeoutMs?: number;
}

interface CreateCertificateClient extends grpc.Client {
  CreateCertificate(
    req: object,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: { cert_chain: string[] }) => void,
  ): void;
}

/** A CaClient over gRPC to istiod (or any IstioCertificateService). */
export function grpcCaClient(opts: GrpcCaClientOptions): CaClient {
  const pkg = loadGrpcPackage(['istio/ca.proto']) as unknown as {
    istio: { v1: { auth: { IstioCertificateService: new (t: string, c: grpc.ChannelCredentials) => CreateCertificateClient } } };
  };
  // Built on first use: a ztunnel with no pods (or only a local config) needs neither the root file nor istiod.
  let client: CreateCertificateClient | undefined;
  const connect = (): CreateCertificateClient => {
    if (client) return client;
    let credentials: grpc.ChannelCredentials;
    try {
      credentials = opts.endpoint.tls ? grpc.credentials.createSsl(readFileSync(opts.rootCaPath)) : grpc.credentials.createInsecure();
    } catch (err) {
      throw new ZtunnelError('ERR_ZTUNNEL_CA', `cannot read the CA root ${opts.rootCaPath}: ${errorMessage(err)}`, { cause: err });
    }
    client = new pkg.istio.v1.auth.IstioCertificateService(opts.endpoint.target, credentials);
    return client;
  };
  return {
    sign: (csrPem, identity, ttlSeconds) =>
      new Promise((resolve, reject) => {
        const c = connect();
        const md = new grpc.Metadata();
        md.set('clusterid', opts.clusterId);
        const token = opts.token();
        if (token) md.set('authorization', `Bearer ${token}`);
        const req = {
          csr: csrPem,
          validity_duration: String(ttlSeconds),
          // protobufjs gives google.protobuf.Struct camelCase fields (stringValue), unlike our keepCase messages.
          metadata: stringStruct({ [IMPERSONATED_IDENTITY_KEY]: identity }),
        };
        c.CreateCertificate(req, md, { deadline: Date.now() + (opts.timeoutMs ?? 10_000) }, (err, res) => {
          if (err) return reject(new ZtunnelError('ERR_ZTUNNEL_CA', `CreateCertificate for ${identity} failed: ${err.message}`, { cause: err }));
          const chain = res?.cert_chain ?? [];
          if (chain.length === 0) return reject(new ZtunnelError('ERR_ZTUNNEL_CA', `CreateCertificate for ${identity} returned no certificate`));
          resolve(chain);
        });
      }),
    close: () => client?.close(),
  };
}

/** Reads the token file, or undefined when it is missing (the request then fails with the CA's reason). */
export function tokenReader(path: string, onError: (msg: string) => void): () => string | undefined {
  return () => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (err) {
      onError(`cannot read token ${path}: ${errorMessage(err)}`);
      return undefined;
    }
  };
}
