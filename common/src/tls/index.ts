// What every mesh process needs for mTLS: CSRs, HBONE TLS options, SAN and trust-domain checks, PEM helpers.
// Nothing exported here may load the ASN.1 library (x509-lib.ts): ztunnel imports this entry and the library
// costs several MB per process. The CA side, which needs it, is `@mesh/common/ca` (no-asn1-lib.test.ts checks).
export { createCsr } from './csr.ts';
export type { CsrBundle } from './csr.ts';
export { HBONE_ALPN, HBONE_CIPHERS, HBONE_ECDH_CURVES, hboneClientOptions, hboneServerOptions } from './mtls.ts';
export type { MtlsClientExpectation, MtlsMaterial } from './mtls.ts';
export {
  certIdentity,
  checkCertTrustDomain,
  checkClientTrustDomain,
  enforceClientTrustDomain,
  peerIdentity,
  serverIdentityCheck,
  spiffeServerIdentityCheck,
} from './verify.ts';
export type { CheckServerIdentity } from './verify.ts';
export { parseSubjectAltName, spiffeIdsOf, uriSansOf } from './san.ts';
export type { AnyNodeCert, SanEntry } from './san.ts';
export { splitPemCertificates, toPem } from './pem.ts';
export { CaError, CaErrorCode, CsrError, CsrErrorCode, TlsError, TlsErrorCode } from './tls-errors.ts';
