// The certificate authority side: signing workload and serving certificates, parsing CSRs, TTL policy.
// It loads the ASN.1 library (tls/x509-lib.ts), so only processes that sign import it (istiod, test fakes);
// the implementation stays beside the rest of the TLS code in ../tls. Errors (CaError, CsrError) come from
// `@mesh/common/tls`, which both sides share.
export { CertificateAuthority } from '../tls/ca.ts';
export type { CaMaterial, CaPolicy, GenerateCaOptions, LoadCaOptions, SignOptions } from '../tls/ca.ts';
export { parseCsr } from '../tls/csr-parse.ts';
export type { ParsedCsr } from '../tls/csr-parse.ts';
export { DEFAULT_SERVING_TTL_S, servingSans } from '../tls/serving-cert.ts';
export type { ServingCert, ServingCertOptions } from '../tls/serving-cert.ts';
export { DEFAULT_BACKDATE_S, DEFAULT_CERT_TTL_S, DEFAULT_ROOT_TTL_S, MAX_CERT_TTL_S, resolveTtlSeconds } from '../tls/ca-ttl.ts';
export type { TtlLimits } from '../tls/ca-ttl.ts';
