import { X509Certificate as NodeX509, constants, createPrivateKey, type KeyObject } from 'node:crypto';
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
  checkKeyMatchesLeaf(material.keyPem, chain[0] as string);
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
    const last = parseCert(pems[pems.length - 1] as string, 'last chain');
    if (last.checkIssued(last)) pems.pop();
  }
  return pems;
}

/** Catch a key/cert mix-up here, with a message that says so, rather than as an OpenSSL error later. */
function checkKeyMatchesLeaf(keyPem: string, leafPem: string): void {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    throw invalid('keyPem is not a PEM private key');
  }
  if (!parseCert(leafPem, 'leaf').checkPrivateKey(key)) throw invalid('keyPem does not match the leaf certificate');
}

function parseCert(pem: string, which: string): NodeX509 {
  try {
    return new NodeX509(pem);
  } catch {
    throw invalid(`certChain: the ${which} certificate cannot be parsed`);
  }
}

function invalid(message: string): TlsError {
  return new TlsError(TlsErrorCode.INVALID_MATERIAL, message);
}
