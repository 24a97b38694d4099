// Serving certificates for the control plane's own TLS endpoints (istiod's 15012), issued by the mesh CA so that
// every client that trusts the mesh root (ztunnel's XDS_ROOT_CA) also trusts istiod. Unlike workload leaves
// these name hosts (DNS and IP SANs), carry only the serverAuth usage and have a key made here.
import { isIP } from 'node:net';
import type { Issuer } from './ca-certs.ts';
import { DEFAULT_ROOT_TTL_S } from './ca-ttl.ts';
import { toPem } from './pem.ts';
import { CaError, CaErrorCode } from './tls-errors.ts';
import { webcrypto, x509 } from './x509-lib.ts';

/** What {@link CertificateAuthority.issueServingCert} needs. */
export interface ServingCertOptions {
  /** DNS SANs (e.g. `istiod.istio-system.svc`). At least one DNS name or IP address is required. */
  readonly dnsNames?: readonly string[];
  /** IP SANs (v4 or v6 literals). */
  readonly ipAddresses?: readonly string[];
  /** Lifetime. Default 1 year; never past the issuer's own notAfter. */
  readonly ttlSeconds?: number;
}

/** A serving key and the chain to present: leaf first, root last, one PEM each. */
export interface ServingCert {
  /** PKCS#8 PEM of a fresh ECDSA P-256 key. */
  readonly keyPem: string;
  /** Leaf…root, PEMs. */
  readonly certChain: readonly string[];
  /** `certChain` joined: what `tls.createSecureContext({cert})` and grpc's key/cert pairs take. */
  readonly certChainPem: string;
  readonly notAfter: Date;
}

/** Default serving certificate lifetime: one year. */
export const DEFAULT_SERVING_TTL_S = 365 * 24 * 60 * 60;

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The SAN entries for a serving certificate, checked; exported for tests. */
export function servingSans(options: ServingCertOptions): x509.JsonGeneralName[] {
  const dns = [...new Set(options.dnsNames ?? [])];
  const ips = [...new Set(options.ipAddresses ?? [])];
  if (dns.length + ips.length === 0) {
    throw servingError('a serving certificate needs at least one DNS name or IP address');
  }
  for (const name of dns) {
    if (name.length > 253 || !DNS_NAME.test(name)) throw servingError(`"${name}" is not a valid DNS name for a SAN`);
  }
  for (const ip of ips) {
    if (isIP(ip) === 0) throw servingError(`"${ip}" is not an IP address`);
  }
  return [...dns.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))];
}

/** Builds and signs a serving certificate under `issuer`; `above` = issuer…root PEMs. */
export async function issueServingCertWith(
  issuer: Issuer,
  above: readonly string[],
  validity: { readonly now: Date; readonly backdateSeconds: number },
  options: ServingCertOptions,
): Promise<ServingCert> {
  const sans = servingSans(options);
  const ttl = options.ttlSeconds ?? DEFAULT_SERVING_TTL_S;
  if (!Number.isFinite(ttl) || ttl <= 0 || ttl > DEFAULT_ROOT_TTL_S) {
    throw new CaError(CaErrorCode.INVALID_TTL, `serving certificate TTL must be in (0, ${DEFAULT_ROOT_TTL_S}] seconds, got ${ttl}`);
  }
  const notBefore = new Date(validity.now.getTime() - validity.backdateSeconds * 1000);
  const notAfter = new Date(Math.min(validity.now.getTime() + ttl * 1000, issuer.cert.notAfter.getTime()));
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const firstDns = sans.find((s) => s.type === 'dns')?.value;
  const leaf = await x509.X509CertificateGenerator.create(
    {
      // A CN helps humans reading `openssl s_client`; verification uses the SANs only.
      ...(firstDns !== undefined ? { subject: [{ '2.5.4.3': [firstDns] }] } : {}),
      issuer: issuer.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: issuer.key.privateKey,
      signingAlgorithm: issuer.key.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // Critical when the subject is empty (RFC 5280 §4.2.1.6).
        new x509.SubjectAlternativeNameExtension(sans, firstDns === undefined),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const certChain = [toPem(leaf.rawData, 'CERTIFICATE'), ...above];
  return { keyPem: toPem(pkcs8, 'PRIVATE KEY'), certChain, certChainPem: certChain.join(''), notAfter };
}

function servingError(message: string): CaError {
  return new CaError(CaErrorCode.INVALID_SERVING_REQUEST, message);
}
