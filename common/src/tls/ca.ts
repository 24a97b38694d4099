import { X509Certificate as NodeX509 } from 'node:crypto';
import { SpiffeId } from '../identity/index.ts';
import { buildIntermediateCert, buildLeafCert, buildRootCert, type Issuer } from './ca-certs.ts';
import { generateCaKey, loadCaKey } from './ca-key.ts';
import {
  DEFAULT_BACKDATE_S,
  DEFAULT_CERT_TTL_S,
  DEFAULT_ROOT_TTL_S,
  MAX_CERT_TTL_S,
  checkPositiveSeconds,
  resolveTtlSeconds,
} from './ca-ttl.ts';
import { parseCsr } from './csr-parse.ts';
import { issueServingCertWith, type ServingCert, type ServingCertOptions } from './serving-cert.ts';
import { splitPemCertificates, toPem } from './pem.ts';
import { CaError, CaErrorCode } from './tls-errors.ts';
import { x509 } from './x509-lib.ts';

/** Signing policy shared by generated and loaded CAs. */
export interface CaPolicy {
  /** Leaf lifetime when the request names none. Default 24 h. */
  readonly defaultTtlSeconds?: number;
  /** Requests for longer lifetimes are capped to this. Default 90 days. */
  readonly maxTtlSeconds?: number;
  /** How far leaf notBefore is backdated for clock skew. Default 120 s. */
  readonly backdateSeconds?: number;
  /** Clock; tests inject a fixed one. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Options for {@link CertificateAuthority.generate}. */
export interface GenerateCaOptions extends CaPolicy {
  /** Written into the root's subject as `O=<trustDomain>`. Default `cluster.local`. */
  readonly trustDomain?: string;
  /** Root (and intermediate) lifetime. Default 10 years. */
  readonly rootTtlSeconds?: number;
  /** Sign leaves with a generated intermediate (root → intermediate → leaf) instead of the root itself. */
  readonly intermediate?: boolean;
}

/** Options for {@link CertificateAuthority.load}: existing key material, e.g. Istio's `cacerts` secret. */
export interface LoadCaOptions extends CaPolicy {
  /** Private key of the signing certificate (PEM: PKCS#8, SEC1 EC or PKCS#1 RSA). */
  readonly keyPem: string;
  /** The signing certificate (a root, or an intermediate when `chainPem` is given). */
  readonly certPem: string;
  /** Certificates above `certPem`, ordered up to and including the self-signed root. Empty when certPem is the root. */
  readonly chainPem?: string;
}

/** Per-request signing options. */
export interface SignOptions {
  /** Requested leaf lifetime; 0 or absent means the default; capped at the maximum. */
  readonly ttlSeconds?: number;
  /**
   * The identity the caller was authenticated (or authorised to impersonate) as. When given, the CSR's SPIFFE
   * SAN must equal it, else ERR_CA_IDENTITY_MISMATCH: we never issue for an identity nobody vouched for.
   */
  readonly identity?: SpiffeId | string;
  /** Exact validity window, bypassing TTL rules. For tests only (expired or not-yet-valid certificates). */
  readonly validityOverride?: { readonly notBefore: Date; readonly notAfter: Date };
}

/** Everything needed to load the same CA again. */
export interface CaMaterial {
  readonly keyPem: string;
  readonly certPem: string;
  readonly chainPem: string;
}

interface Settings {
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly backdateSeconds: number;
  readonly now: () => Date;
}

/**
 * Issues workload certificates for SPIFFE identities from a root, optionally through an intermediate. `sign`
 * returns the chain in the order istiod's CreateCertificate response carries it: leaf first, root last, one PEM
 * per element, each ending in "\n".
 */
export class CertificateAuthority {
  readonly #issuer: Issuer;
  /** Signing certificate up to and including the root, as PEMs. */
  readonly #above: readonly string[];
  readonly #settings: Settings;

  private constructor(issuer: Issuer, above: readonly string[], settings: Settings) {
    this.#issuer = issuer;
    this.#above = above;
    this.#settings = settings;
  }

  /** Creates a fresh ECDSA P-256 root (and intermediate, if asked). */
  static async generate(options: GenerateCaOptions = {}): Promise<CertificateAuthority> {
    const settings = resolveSettings(options);
    const rootTtl = options.rootTtlSeconds ?? DEFAULT_ROOT_TTL_S;
    checkPositiveSeconds('root TTL', rootTtl);
    const organization = options.trustDomain ?? 'cluster.local';
    const now = settings.now();
    const validity = { notBefore: backdate(now, settings), notAfter: new Date(now.getTime() + rootTtl * 1000) };
    const rootKey = await generateCaKey();
    const rootCert = await buildRootCert({ ...validity, key: rootKey, spki: rootKey.spki, organization });
    let issuer: Issuer = { cert: rootCert, key: rootKey };
    const above = [pemOf(rootCert)];
    if (options.intermediate) {
      const key = await generateCaKey();
      const cert = await buildIntermediateCert({ ...validity, issuer, spki: key.spki, organization });
      issuer = { cert, key };
      above.unshift(pemOf(cert));
    }
    return new CertificateAuthority(issuer, above, settings);
  }

  /** Loads an existing signing key and certificate chain, checking they fit together. */
  static async load(options: LoadCaOptions): Promise<CertificateAuthority> {
    const settings = resolveSettings(options);
    const certs = splitPemCertificates(options.certPem);
    if (certs.length !== 1 || !certs[0]) {
      throw material(`CA certPem must hold exactly one certificate, found ${certs.length}`);
    }
    const chain = [certs[0], ...splitPemCertificates(options.chainPem ?? '')];
    const parsed = chain.map((pem, i) => parseNodeCert(pem, i));
    const key = await loadCaKey(options.keyPem);
    const signing = parsed[0] as NodeX509;
    if (!signing.ca) throw material('CA certificate is not a CA (basicConstraints CA:TRUE missing)');
    if (!signing.checkPrivateKey(key.keyObject)) throw material('CA key does not match the CA certificate');
    checkChain(parsed, settings.now());
    const issuer = { cert: new x509.X509Certificate(chain[0] as string), key };
    return new CertificateAuthority(issuer, chain, settings);
  }

  /** The root certificate, PEM: the mesh trust anchor peers verify against. */
  get rootCertPem(): string {
    return this.#above[this.#above.length - 1] as string;
  }

  /** The key and certificates, PEM, for persisting a generated CA and loading it later. */
  get material(): CaMaterial {
    return {
      keyPem: this.#issuer.key.pkcs8Pem,
      certPem: this.#above[0] as string,
      chainPem: this.#above.slice(1).join(''),
    };
  }

  /** Verifies `csr` and issues a leaf for its SPIFFE ID; returns the chain leaf…root. */
  async sign(csr: string | Uint8Array, options: SignOptions = {}): Promise<string[]> {
    const request = await parseCsr(csr);
    if (options.identity !== undefined) {
      const wanted = typeof options.identity === 'string' ? SpiffeId.parse(options.identity) : options.identity;
      if (!request.identity.equals(wanted)) {
        throw new CaError(
          CaErrorCode.IDENTITY_MISMATCH,
          `CSR asks for ${request.identity.toString()} but the caller may only get ${wanted.toString()}`,
        );
      }
    }
    const validity = options.validityOverride ?? this.#validity(options.ttlSeconds);
    const leaf = await buildLeafCert({
      ...validity,
      issuer: this.#issuer,
      publicKey: request.publicKey,
      identity: request.identity,
    });
    return [pemOf(leaf), ...this.#above];
  }

  /** Issues a TLS serving certificate (DNS/IP SANs, serverAuth) with a fresh key, e.g. for istiod's gRPC port. */
  async issueServingCert(options: ServingCertOptions): Promise<ServingCert> {
    const { now, backdateSeconds } = this.#settings;
    return issueServingCertWith(this.#issuer, this.#above, { now: now(), backdateSeconds }, options);
  }

  #validity(ttlSeconds: number | undefined): { notBefore: Date; notAfter: Date } {
    const ttl = resolveTtlSeconds(ttlSeconds, this.#settings);
    const now = this.#settings.now();
    // A leaf never outlives its issuer: peers would reject the chain past that point anyway.
    const issuerEnd = this.#issuer.cert.notAfter.getTime();
    const notAfter = new Date(Math.min(now.getTime() + ttl * 1000, issuerEnd));
    return { notBefore: backdate(now, this.#settings), notAfter };
  }
}

function resolveSettings(policy: CaPolicy): Settings {
  const settings = {
    defaultTtlSeconds: policy.defaultTtlSeconds ?? DEFAULT_CERT_TTL_S,
    maxTtlSeconds: policy.maxTtlSeconds ?? MAX_CERT_TTL_S,
    backdateSeconds: policy.backdateSeconds ?? DEFAULT_BACKDATE_S,
    now: policy.now ?? (() => new Date()),
  };
  checkPositiveSeconds('default TTL', settings.defaultTtlSeconds);
  checkPositiveSeconds('max TTL', settings.maxTtlSeconds);
  if (!Number.isFinite(settings.backdateSeconds) || settings.backdateSeconds < 0) {
    throw new CaError(CaErrorCode.INVALID_TTL, `backdate must be >= 0 seconds, got ${settings.backdateSeconds}`);
  }
  return settings;
}

function backdate(now: Date, settings: Settings): Date {
  return new Date(now.getTime() - settings.backdateSeconds * 1000);
}

function pemOf(cert: x509.X509Certificate): string {
  return toPem(cert.rawData, 'CERTIFICATE');
}

function parseNodeCert(pem: string, index: number): NodeX509 {
  try {
    return new NodeX509(pem);
  } catch (cause) {
    throw material(`CA certificate #${index} cannot be parsed`, cause);
  }
}

/** Each certificate must be issued and signed by the next, the last must be self-signed, and all be current. */
function checkChain(certs: readonly NodeX509[], now: Date): void {
  certs.forEach((cert, i) => {
    if (cert.validToDate.getTime() <= now.getTime()) {
      throw material(`CA certificate #${i} (${cert.subject || 'empty subject'}) expired at ${cert.validTo}`);
    }
    const parent = certs[i + 1] ?? cert;
    if (!cert.checkIssued(parent) || !cert.verify(parent.publicKey)) {
      const what = parent === cert ? 'is not self-signed (chainPem must end with the root)' : `is not signed by #${i + 1}`;
      throw material(`CA certificate #${i} ${what}`);
    }
    if (!parent.ca) throw material(`CA certificate #${i + 1} is not a CA`);
  });
}

function material(message: string, cause?: unknown): CaError {
  return new CaError(CaErrorCode.INVALID_MATERIAL, message, cause === undefined ? undefined : { cause });
}
