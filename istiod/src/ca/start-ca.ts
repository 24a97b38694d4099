// istiod's CA, assembled: the root from `istio-ca-secret`, the CreateCertificate service, the root-cert publisher.
import type * as grpc from '@grpc/grpc-js';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@mesh/common/log';
import type { MetricsRegistry } from '@mesh/common/metrics';
import { caServiceDefinition } from '@mesh/common/proto';
import type { CertificateAuthority } from '@mesh/common/ca';
import { createTokenAuthenticator, type TokenAuthenticator } from '../auth/index.ts';
import { createCaMetrics } from './ca-metrics.ts';
import { certificateServiceHandlers } from './create-certificate.ts';
import type { PodLookup } from './impersonation.ts';
import { apiPodLookup } from './pod-lookup.ts';
import { createRootCertPublisher, type RootCertPublisher } from './root-cert-publisher.ts';
import { loadOrCreateRoot, type RootOrigin } from './root-secret.ts';
import { parseTrustedNodeAccounts } from './trusted-accounts.ts';

export interface StartCaOptions {
  readonly kc: KubeConfig;
  /** istiod's namespace: where `istio-ca-secret` lives. */
  readonly namespace: string;
  readonly trustDomain: string;
  /** CA_TRUSTED_NODE_ACCOUNTS entries, `<ns>/<sa>`. */
  readonly trustedNodeAccounts: readonly string[];
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  /** TOKEN_AUDIENCES. Ignored when `authenticate` is given. */
  readonly audiences: readonly string[];
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  /** Share one authenticator (and its cache) with the xDS server; default: a new one for `audiences`. */
  readonly authenticate?: TokenAuthenticator;
  /** Pod reads for impersonation checks; default straight from the API server. */
  readonly pods?: PodLookup;
}

export interface StartedCa {
  /** The signing CA (also issues istiod's serving certificate). */
  readonly authority: CertificateAuthority;
  readonly rootCertPem: string;
  /** Whether the root was loaded from the Secret or created now. */
  readonly origin: RootOrigin;
  /** Adds `istio.v1.auth.IstioCertificateService` to a gRPC server. */
  addService(server: grpc.Server): void;
  /** Keeps ConfigMap `istio-ca-root-cert` in every namespace; started by the caller (after the gRPC server). */
  readonly publisher: RootCertPublisher;
  /** Stops the publisher. */
  stop(): Promise<void>;
}

/** Loads (or creates) the root and builds the CA; touches the API server only for the Secret. */
export async function startCa(options: StartCaOptions): Promise<StartedCa> {
  const trustedNodeAccounts = parseTrustedNodeAccounts(options.trustedNodeAccounts);
  const core = options.kc.makeApiClient(CoreV1Api);
  const ttl = { defaultTtlSeconds: options.defaultTtlSeconds, maxTtlSeconds: options.maxTtlSeconds };
  const { ca, origin } = await loadOrCreateRoot(core, { namespace: options.namespace, trustDomain: options.trustDomain, ...ttl });
  options.logger.info({ origin, namespace: options.namespace }, 'CA root ready');
  const handlers = certificateServiceHandlers({
    authenticate: options.authenticate ?? createTokenAuthenticator(options.kc, { audiences: options.audiences }),
    ca,
    trustDomain: options.trustDomain,
    trustedNodeAccounts,
    pods: options.pods ?? apiPodLookup(core),
    ttl,
    metrics: createCaMetrics(options.metrics),
    logger: options.logger,
  });
  const publisher = createRootCertPublisher(options.kc, ca.rootCertPem, options.logger);
  return {
    authority: ca,
    rootCertPem: ca.rootCertPem,
    origin,
    addService: (server) => server.addService(caServiceDefinition(), handlers),
    publisher,
    stop: () => publisher.stop(),
  };
}
