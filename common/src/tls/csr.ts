import { generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { SpiffeId } from '../identity/index.ts';
import {
  derBitString,
  derContextConstructed,
  derContextPrimitive,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  ia5Bytes,
} from './der.ts';
import { toPem } from './pem.ts';

// Written with node:crypto and a small DER writer rather than an ASN.1 library: this module is loaded by every
// ztunnel, and the library (with its metadata polyfill) costs several MB of memory per process.

/** A fresh private key and the CSR that asks for a certificate of one identity. */
export interface CsrBundle {
  /** PKCS#10 request, PEM (`CERTIFICATE REQUEST`). */
  readonly csrPem: string;
  /** The new private key, PKCS#8 PEM (`PRIVATE KEY`). Never leaves the process that made it. */
  readonly keyPem: string;
  /** The identity requested, normalised. */
  readonly identity: SpiffeId;
}

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
/** GeneralName's uniformResourceIdentifier alternative: [6] IMPLICIT IA5String. */
const GENERAL_NAME_URI = 6;

const generateEcKeyPair = promisify(generateKeyPair);

/**
 * Makes a new ECDSA P-256 key and a SHA-256-signed PKCS#10 request for `identity`, shaped as ztunnel's:
 * an empty subject and exactly one URI SAN, the SPIFFE ID. A new key per request means a leaked key is only
 * good for one certificate's lifetime.
 */
export async function createCsr(identity: SpiffeId | string): Promise<CsrBundle> {
  const id = typeof identity === 'string' ? SpiffeId.parse(identity) : identity;
  const { publicKey, privateKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
  const csrDer = certificationRequestDer(id.toString(), publicKey, privateKey);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  return { csrPem: toPem(csrDer, 'CERTIFICATE REQUEST'), keyPem: toPem(pkcs8, 'PRIVATE KEY'), identity: id };
}

/** RFC 2986 CertificationRequest: version 0, empty subject, the key, an extensionRequest with one URI SAN. */
function certificationRequestDer(uri: string, publicKey: KeyObject, privateKey: KeyObject): Uint8Array {
  const generalNames = derSequence(derContextPrimitive(GENERAL_NAME_URI, ia5Bytes(uri)));
  // Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (omitted), extnValue OCTET STRING }
  const sanExtension = derSequence(derOid(OID_SUBJECT_ALT_NAME), derOctetString(generalNames));
  const extensionRequest = derSequence(derOid(OID_EXTENSION_REQUEST), derSet(derSequence(sanExtension)));
  const info = derSequence(
    derSmallInteger(0),
    derSequence(), // subject: an empty RDNSequence; the identity is in the SAN only
    publicKey.export({ type: 'spki', format: 'der' }),
    derContextConstructed(0, extensionRequest), // attributes [0] IMPLICIT SET OF Attribute
  );
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  // AlgorithmIdentifier for ecdsa-with-SHA256 has its parameters absent (RFC 5758 section 3.2).
  return derSequence(info, derSequence(derOid(OID_ECDSA_WITH_SHA256)), derBitString(signature));
}
