import { X509Certificate as NodeX509 } from 'node:crypto';
import { constants } from 'node:crypto';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { SpiffeId } from '../identity/index.ts';
import { splitPemCertificates } from './pem.ts';
import { TlsError, TlsErrorCode } from './tls-errors.ts';
import { spiffeServerIdentityCheck } from './verify.ts';

/** Our key, our certificate chain and the mesh roots. */
export interface MtlsMaterial {
  /** Private key of the leaf, PEM. */
  readonly keyPem: string;
  /** Leaf first, then intermediates; a trailing self-signed root is dropped (peers have it already). */
  readonly certChain: readonly string[] | string;
  /** Mesh trust anchors, PEM (one bundle or one PEM per element). */
  readonly roots: readonly string[] | string;
}

/** Who the client expects to reach. */
export interface MtlsClientExpectation {
  /** Server identities accepted (workload identity ∪ service SANs). At least one. */
  readonly expectedIdentities: Iterable<SpiffeId | string>;
}

/** TLS 1.3 suites ztunnel allows; no ChaCha20. */
export const HBONE_CIPHERS = 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256';
/** Key exchange groups ztunnel offers. */
export const HBONE_ECDH_CURVES = 'P-256:P-384';
/** HBONE runs HTTP/2 only; no http/1.1 fallback. */
export const HBONE_ALPN = ['h2'];

/** Settings common to both ends. Tickets are disabled so no session can be resumed. */
function common(material: MtlsMaterial) {
  const chain = presentedChain(material.certChain);
  const roots = typeof material.roots === 'string' ? splitPemCertificates(material.roots) : [...material.roots];
  if (typeof material.keyPem !== 'string' || !material.keyPem.includes('PRIVATE KEY')) {
    throw invalid('keyPem is not a PEM private key');
  }
  if (roots.length === 0 || roots.some((r) => splitPemCertificates(r).length !== 1)) {
    throw invalid('roots must hold at least one PEM certificate, one per element');
  }
  return {
    key: material.keyPem,
    cert: chain.join(''),
    ca: roots,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: HBONE_CIPHERS,
    ecdhCurve: HBONE_ECDH_CURVES,
    ALPNProtocols: HBONE_ALPN,
    secureOptions: constants.SSL_OP_NO_TICKET,
  } as const;
}

/**
 * Options for an HBONE server (`tls.createServer` / `http2.createSecureServer`): TLS 1.3 only, ALPN h2, client
 * certificate required and chained to the mesh roots. Pair it with `enforceClientTrustDomain` for the trust
 * domain check, which Node cannot do inside the handshake.
 */
export function hboneServerOptions(material: MtlsMaterial): TlsOptions {
  return {
    ...common(material),
    ALPNProtocols: [...HBONE_ALPN],
    requestCert: true,
    rejectUnauthorized: true,
  };
}

/**
 * Options for an HBONE client (`tls.connect`): same protocol limits, presents our chain, verifies the server
 * against the mesh roots and by SPIFFE SAN, sends no SNI and never resumes a session. For HTTP/2, either dial an
 * IP (`http2.connect('https://10.0.0.5:15008', opts)`) or pass `createConnection: () => tls.connect(opts)`:
 * `http2.connect` to a host name replaces the empty servername with that name and would send it as SNI.
 */
export function hboneClientOptions(material: MtlsMaterial, expect: MtlsClientExpectation): ConnectionOptions {
  return {
    ...common(material),
    ALPNProtocols: [...HBONE_ALPN],
    rejectUnauthorized: true,
    // An empty servername makes Node skip SNI even when dialling a host name; mesh peers are named by SAN.
    servername: '',
    checkServerIdentity: spiffeServerIdentityCheck(expect.expectedIdentities),
  };
}

function presentedChain(certChain: readonly string[] | string): string[] {
  const pems = typeof certChain === 'string' ? splitPemCertificates(certChain) : certChain.flatMap(splitPemCertificates);
  if (pems.length === 0) throw invalid('certChain holds no PEM certificate');
  if (pems.length > 1) {
    const last = new NodeX509(pems[pems.length - 1] as string);
    if (last.checkIssued(last)) pems.pop();
  }
  return pems;
}

function invalid(message: string): TlsError {
  return new TlsError(TlsErrorCode.INVALID_MATERIAL, message);
}
