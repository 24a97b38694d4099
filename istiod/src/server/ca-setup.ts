// The CA as the server needs it: the authority that issues istiod's serving certificate, the root, the gRPC
// service to add, and start/stop of the root-cert publisher. `istiodCa` is the real one (istiod/src/ca);
// `ephemeralCa` a throwaway root without the service, for tests that need no CA.
import type * as grpc from '@grpc/grpc-js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@mesh/common/log';
import type { MetricsRegistry } from '@mesh/common/metrics';
import { CertificateAuthority } from '@mesh/common/ca';
import type { TokenAuthenticator } from '../auth/index.ts';
import { startCa } from '../ca/index.ts';
import type { IstiodConfig } from '../config.ts';

export interface IstiodCa {
  readonly authority: CertificateAuthority;
  readonly rootCertPem: string;
  /** Adds `istio.v1.auth.IstioCertificateService` to the gRPC server (absent: no CA on this port). */
  readonly addService?: (server: grpc.Server) => void;
  /** Called once the gRPC port listens (publishes the root to every namespace). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a CA factory gets from istiod. */
export interface CaContext {
  readonly kc: KubeConfig;
  readonly config: IstiodConfig;
  readonly metrics: MetricsRegistry;
  /** The same authenticator (and review cache) the xDS server uses. */
  readonly authenticate: TokenAuthenticator;
  readonly logger: Logger;
}

export type CaFactory = (ctx: CaContext) => Promise<IstiodCa>;

const MS_PER_S = 1000;

/** istiod's CA: the root in `istio-ca-secret`, CreateCertificate, the `istio-ca-root-cert` publisher. */
export const istiodCa: CaFactory = async (ctx) => {
  const ca = await startCa({
    kc: ctx.kc,
    namespace: ctx.config.namespace,
    trustDomain: ctx.config.trustDomain,
    trustedNodeAccounts: ctx.config.caTrustedNodeAccounts,
    defaultTtlSeconds: Math.round(ctx.config.defaultWorkloadCertTtlMs / MS_PER_S),
    maxTtlSeconds: Math.round(ctx.config.maxWorkloadCertTtlMs / MS_PER_S),
    audiences: ctx.config.tokenAudiences,
    metrics: ctx.metrics,
    logger: ctx.logger,
    authenticate: ctx.authenticate,
  });
  return {
    authority: ca.authority,
    rootCertPem: ca.rootCertPem,
    addService: (server) => ca.addService(server),
    start: () => ca.publisher.start(),
    stop: () => ca.stop(),
  };
};

/** A throwaway self-signed root, no CreateCertificate service, nothing published. */
export const ephemeralCa: CaFactory = async (ctx) => {
  const authority = await CertificateAuthority.generate({ trustDomain: ctx.config.trustDomain });
  return { authority, rootCertPem: authority.rootCertPem, start: async () => {}, stop: async () => {} };
};
