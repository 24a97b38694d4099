import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CaError, CaErrorCode } from './tls-errors.ts';
import { toPem } from './pem.ts';
import { webcrypto, type Algorithm, type CryptoKey } from './x509-lib.ts';

/** A CA private key ready for WebCrypto signing, with the algorithm its signatures use. */
export interface CaKey {
  /** WebCrypto handle, usage `sign`. */
  readonly privateKey: CryptoKey;
  /** The same key as a Node KeyObject, to check it matches a certificate. */
  readonly keyObject: KeyObject;
  /** Signature algorithm for certificates this key signs (hash matched to the key size). */
  readonly signingAlgorithm: Algorithm & { hash?: string };
  /** DER SubjectPublicKeyInfo of the matching public key, for the CA's own certificate. */
  readonly spki: ArrayBuffer;
  /** The key as PKCS#8 PEM, so a generated CA can be persisted and loaded again. */
  readonly pkcs8Pem: string;
}

/** Curves we accept for CA keys, mapped from OpenSSL's names to WebCrypto's, with the hash each pairs with. */
const EC_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
};

/** Makes a new ECDSA P-256 CA key. */
export async function generateCaKey(): Promise<CaKey> {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', pair.privateKey);
  return loadCaKey(toPem(pkcs8, 'PRIVATE KEY'));
}

/**
 * Loads a CA private key from PEM (PKCS#8, SEC1 `EC PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`). Plugged-in roots
 * are often RSA (Istio's own self-signed default is RSA 2048), so RSA is accepted as well as P-256/P-384.
 */
export async function loadCaKey(keyPem: string): Promise<CaKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch (cause) {
    throw new CaError(CaErrorCode.INVALID_MATERIAL, 'CA key is not a PEM private key', { cause });
  }
  const pkcs8Pem = keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spkiDer = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const spki = new Uint8Array(spkiDer).buffer;
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec') {
    const curveName = keyObject.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const curve = EC_CURVES[curveName];
    if (!curve) {
      throw new CaError(CaErrorCode.INVALID_MATERIAL, `CA key curve ${curveName} is not supported (P-256 or P-384)`);
    }
    const privateKey = keyObject.toCryptoKey({ name: 'ECDSA', namedCurve: curve.namedCurve }, true, ['sign']);
    return { privateKey, keyObject, signingAlgorithm: { name: 'ECDSA', hash: curve.hash }, spki, pkcs8Pem };
  }
  if (type === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const privateKey = keyObject.toCryptoKey(algorithm, true, ['sign']);
    return { privateKey, keyObject, signingAlgorithm: algorithm, spki, pkcs8Pem };
  }
  throw new CaError(CaErrorCode.INVALID_MATERIAL, `CA key type ${type ?? 'unknown'} is not supported (EC or RSA)`);
}
