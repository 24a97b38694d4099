// Certificate templates for the CA: a self-signed root, an optional intermediate and workload leaves.
// Pure builders: the caller picks keys, names and validity; these functions only assemble and sign.
import type { SpiffeId } from '../identity/index.ts';
import type { CaKey } from './ca-key.ts';
import { webcrypto, x509 } from './x509-lib.ts';

/** The certificate and key that sign the next certificate down. */
export interface Issuer {
  readonly cert: x509.X509Certificate;
  readonly key: CaKey;
}

/** Common inputs to every builder. */
interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const OID_ORGANIZATION = '2.5.4.10';
const OID_COMMON_NAME = '2.5.4.3';

const CA_USAGES = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;
const LEAF_USAGES = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;

/** A self-signed root for the mesh, subject `O=<trust domain>` as Istio's self-signed root has. */
export async function buildRootCert(input: Validity & { key: CaKey; spki: ArrayBuffer; organization: string }) {
  const name: x509.JsonName = [{ [OID_ORGANIZATION]: [input.organization] }];
  return x509.X509CertificateGenerator.create(
    {
      subject: name,
      issuer: name,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      publicKey: input.spki,
      signingKey: input.key.privateKey,
      signingAlgorithm: input.key.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(CA_USAGES, true),
        await x509.SubjectKeyIdentifierExtension.create(input.spki, false, webcrypto),
      ],
    },
    webcrypto,
  );
}

/** An intermediate CA that may sign only leaves (path length 0). */
export async function buildIntermediateCert(
  input: Validity & { issuer: Issuer; spki: ArrayBuffer; organization: string },
) {
  return x509.X509CertificateGenerator.create(
    {
      subject: [{ [OID_ORGANIZATION]: [input.organization] }, { [OID_COMMON_NAME]: ['Intermediate CA'] }],
      issuer: input.issuer.cert.subjectName,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      publicKey: input.spki,
      signingKey: input.issuer.key.privateKey,
      signingAlgorithm: input.issuer.key.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(CA_USAGES, true),
        await x509.SubjectKeyIdentifierExtension.create(input.spki, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(input.issuer.cert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
}

/**
 * A workload leaf: empty subject, so the SAN extension is critical (RFC 5280 §4.2.1.6); exactly one URI SAN;
 * not a CA; usable as both TLS server and client, since every HBONE peer is both.
 */
export async function buildLeafCert(
  input: Validity & { issuer: Issuer; publicKey: x509.PublicKey; identity: SpiffeId },
) {
  return x509.X509CertificateGenerator.create(
    {
      issuer: input.issuer.cert.subjectName,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      publicKey: input.publicKey,
      signingKey: input.issuer.key.privateKey,
      signingAlgorithm: input.issuer.key.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(LEAF_USAGES, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: input.identity.toString() }], true),
        await x509.AuthorityKeyIdentifierExtension.create(input.issuer.cert.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
}
