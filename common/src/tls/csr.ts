import { SpiffeId } from '../identity/index.ts';
import { toPem } from './pem.ts';
import { webcrypto, x509 } from './x509-lib.ts';

/** A fresh private key and the CSR that asks for a certificate of one identity. */
export interface CsrBundle {
  /** PKCS#10 request, PEM (`CERTIFICATE REQUEST`). */
  readonly csrPem: string;
  /** The new private key, PKCS#8 PEM (`PRIVATE KEY`). Never leaves the process that made it. */
  readonly keyPem: string;
  /** The identity requested, normalised. */
  readonly identity: SpiffeId;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * Makes a new ECDSA P-256 key and a SHA-256-signed PKCS#10 request for `identity`, shaped as ztunnel's:
 * an empty subject and exactly one URI SAN, the SPIFFE ID. A new key per request means a leaked key is only
 * good for one certificate's lifetime.
 */
export async function createCsr(identity: SpiffeId | string): Promise<CsrBundle> {
  const id = typeof identity === 'string' ? SpiffeId.parse(identity) : identity;
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id.toString() }])],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrPem: toPem(csr.rawData, 'CERTIFICATE REQUEST'), keyPem: toPem(pkcs8, 'PRIVATE KEY'), identity: id };
}
