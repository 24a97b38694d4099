import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from '@mesh/common/log';
import {
  IMPERSONATED_IDENTITY_KEY,
  structString,
  type IstioCertificateRequest__Output,
  type IstioCertificateResponse,
  type IstioCertificateServiceHandlers,
} from '@mesh/common/proto';
import type { CertificateAuthority } from '@mesh/common/ca';
import type { Caller, TokenAuthenticator } from '../auth/index.ts';
import type { CaMetrics } from './ca-metrics.ts';
import { caFailure } from './grpc-status.ts';
import { authoriseIdentity, type PodLookup } from './impersonation.ts';
import type { NodeAccount } from './trusted-accounts.ts';
import { grantedTtlSeconds, type TtlPolicy } from './ttl.ts';

export interface CreateCertificateDeps {
  readonly authenticate: TokenAuthenticator;
  readonly ca: CertificateAuthority;
  readonly trustDomain: string;
  readonly trustedNodeAccounts: readonly NodeAccount[];
  readonly pods: PodLookup;
  readonly ttl: TtlPolicy;
  readonly metrics: CaMetrics;
  readonly logger: Logger;
}

/** The result of one request: the chain leaf…root, or a failure (never both). */
export async function createCertificate(
  deps: CreateCertificateDeps,
  request: IstioCertificateRequest__Output,
  metadata: Metadata,
): Promise<string[]> {
  const caller: Caller = await deps.authenticate(metadata);
  const ttlSeconds = grantedTtlSeconds(request.validity_duration, deps.ttl);
  const impersonated = structString(request.metadata, IMPERSONATED_IDENTITY_KEY);
  const identity = await authoriseIdentity({
    caller,
    ...(impersonated !== undefined ? { impersonated } : {}),
    trustDomain: deps.trustDomain,
    trustedNodeAccounts: deps.trustedNodeAccounts,
    pods: deps.pods,
  });
  const chain = await deps.ca.sign(request.csr, { ttlSeconds, identity });
  deps.logger.debug({ identity: identity.toString(), caller: caller.username, ttlSeconds }, 'certificate issued');
  return chain;
}

/** The `IstioCertificateService` implementation. */
export function certificateServiceHandlers(deps: CreateCertificateDeps): IstioCertificateServiceHandlers {
  return {
    CreateCertificate: (
      call: ServerUnaryCall<IstioCertificateRequest__Output, IstioCertificateResponse>,
      callback: sendUnaryData<IstioCertificateResponse>,
    ) => {
      deps.metrics.csrCount.inc();
      createCertificate(deps, call.request, call.metadata).then(
        (chain) => {
          deps.metrics.successCount.inc();
          callback(null, { cert_chain: chain });
        },
        (err: unknown) => {
          const failure = caFailure(err);
          if (failure.authnFailure) deps.metrics.authnFailureCount.inc();
          deps.logger.warn({ code: failure.code, peer: call.getPeer() }, `CreateCertificate refused: ${failure.details}`);
          callback({ code: failure.code, details: failure.details });
        },
      );
    },
  };
}
