import type { MetricsRegistry } from '@mesh/common/metrics';

type Counter = ReturnType<MetricsRegistry['counter']>;

/** The CA's counters, under Istio's names exactly (no `_total`, as istiod exposes them). */
export interface CaMetrics {
  /** Every CreateCertificate call. */
  readonly csrCount: Counter;
  /** Calls answered with a certificate chain. */
  readonly successCount: Counter;
  /** Calls refused because the caller could not be authenticated or may not impersonate. */
  readonly authnFailureCount: Counter;
}

export function createCaMetrics(registry: MetricsRegistry): CaMetrics {
  return {
    csrCount: registry.counter({ name: 'citadel_server_csr_count', exactName: true, help: 'The number of CSRs received by Citadel server.' }),
    successCount: registry.counter({
      name: 'citadel_server_success_cert_issuance_count',
      exactName: true,
      help: 'The number of certificates issuances that have succeeded.',
    }),
    authnFailureCount: registry.counter({
      name: 'citadel_server_authentication_failure_count',
      exactName: true,
      help: 'The number of authentication failures.',
    }),
  };
}
