import { MeshError } from '../errors.ts';

/** Stable codes for CSR parsing and validation errors. */
export const CsrErrorCode = {
  /** The input is not a PEM or DER PKCS#10 certificate request. */
  INVALID: 'ERR_CSR_INVALID',
  /** The CSR's self-signature does not verify against its own public key. */
  BAD_SIGNATURE: 'ERR_CSR_BAD_SIGNATURE',
  /** The CSR requests no URI SAN at all. */
  NO_SAN: 'ERR_CSR_NO_SAN',
  /** The CSR requests more than one URI SAN. */
  MULTIPLE_SANS: 'ERR_CSR_MULTIPLE_SANS',
  /** The CSR's URI SAN is not a valid SPIFFE ID. */
  SAN_NOT_SPIFFE: 'ERR_CSR_SAN_NOT_SPIFFE',
} as const;
export type CsrErrorCode = (typeof CsrErrorCode)[keyof typeof CsrErrorCode];

/** Stable codes for certificate authority errors. */
export const CaErrorCode = {
  /** The CA key or certificate PEMs cannot be used (unparsable, mismatched, not a CA, unsupported key). */
  INVALID_MATERIAL: 'ERR_CA_INVALID_MATERIAL',
  /** A TTL or validity option is not a positive finite number. */
  INVALID_TTL: 'ERR_CA_INVALID_TTL',
  /** The CSR names a different identity than the one the caller was authorised for. */
  IDENTITY_MISMATCH: 'ERR_CA_IDENTITY_MISMATCH',
  /** A serving certificate request names no host, or a malformed DNS name or IP address. */
  INVALID_SERVING_REQUEST: 'ERR_CA_INVALID_SERVING_REQUEST',
} as const;
export type CaErrorCode = (typeof CaErrorCode)[keyof typeof CaErrorCode];

/** Stable codes for mTLS option building and peer verification errors. */
export const TlsErrorCode = {
  /** The server's leaf carries no SPIFFE URI SAN equal to an expected identity. */
  SAN_MISMATCH: 'ERR_TLS_SAN_MISMATCH',
  /** A client leaf carries a SPIFFE identity from another trust domain. */
  TRUST_DOMAIN_MISMATCH: 'ERR_TLS_TRUST_DOMAIN_MISMATCH',
  /** The peer presented no certificate or one without a SPIFFE identity. */
  NO_PEER_IDENTITY: 'ERR_TLS_NO_PEER_IDENTITY',
  /** A peer certificate's subjectAltName (or a SPIFFE URI in it) cannot be parsed. */
  MALFORMED_SAN: 'ERR_TLS_MALFORMED_SAN',
  /** Key, chain or roots given to an option builder are missing or malformed. */
  INVALID_MATERIAL: 'ERR_TLS_INVALID_MATERIAL',
} as const;
export type TlsErrorCode = (typeof TlsErrorCode)[keyof typeof TlsErrorCode];

/** Raised when a certificate signing request is malformed or asks for something we do not issue. */
export class CsrError extends MeshError<CsrErrorCode> {}

/** Raised by the certificate authority when it cannot load its material or refuses to sign. */
export class CaError extends MeshError<CaErrorCode> {}

/** Raised (or returned, from `checkServerIdentity`) when mTLS material or a peer fails our checks. */
export class TlsError extends MeshError<TlsErrorCode> {}
