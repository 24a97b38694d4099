import { SpiffeId } from '../identity/index.ts';
import { CsrError, CsrErrorCode } from './tls-errors.ts';
import { webcrypto, x509 } from './x509-lib.ts';

/** A certificate request whose self-signature verified and which asks for exactly one SPIFFE identity. */
export interface ParsedCsr {
  /** The identity in the request's single URI SAN. */
  readonly identity: SpiffeId;
  /** The requester's public key, to be put in the certificate. */
  readonly publicKey: x509.PublicKey;
  /** The decoded request, for callers that need more fields. */
  readonly request: x509.Pkcs10CertificateRequest;
}

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const PEM_TYPES = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

/**
 * Decodes a PKCS#10 request (PEM string or DER bytes), verifies its self-signature (proof that the requester
 * holds the private key) and extracts its one SPIFFE URI SAN. Throws {@link CsrError} naming the problem.
 */
export async function parseCsr(input: string | Uint8Array): Promise<ParsedCsr> {
  const request = decode(input);
  let signatureOk: boolean;
  try {
    signatureOk = await request.verify(webcrypto);
  } catch (cause) {
    throw new CsrError(CsrErrorCode.BAD_SIGNATURE, 'CSR signature cannot be checked (unsupported algorithm?)', {
      cause,
    });
  }
  if (!signatureOk) {
    throw new CsrError(CsrErrorCode.BAD_SIGNATURE, 'CSR self-signature does not match its public key');
  }
  return { identity: spiffeSan(request), publicKey: request.publicKey, request };
}

function decode(input: string | Uint8Array): x509.Pkcs10CertificateRequest {
  let der: ArrayBuffer | Uint8Array;
  if (typeof input === 'string') {
    der = pemBody(input);
  } else if (input instanceof Uint8Array) {
    if (input.byteLength === 0) throw invalid('CSR is empty');
    der = input;
  } else {
    throw invalid(`CSR must be a PEM string or DER bytes, got ${typeof input}`);
  }
  try {
    return new x509.Pkcs10CertificateRequest(der);
  } catch (cause) {
    throw invalid('CSR is not a DER-encoded PKCS#10 certificate request', cause);
  }
}

function pemBody(pem: string): ArrayBuffer {
  if (!x509.PemConverter.isPem(pem)) {
    throw invalid('CSR is not PEM: expected a "-----BEGIN CERTIFICATE REQUEST-----" block');
  }
  let blocks: x509.PemStruct[];
  try {
    blocks = x509.PemConverter.decodeWithHeaders(pem);
  } catch (cause) {
    throw invalid('CSR PEM cannot be decoded', cause);
  }
  const requests = blocks.filter((b) => PEM_TYPES.has(b.type));
  if (requests.length !== 1 || !requests[0]) {
    const found = blocks.map((b) => b.type).join(', ') || 'none';
    throw invalid(`expected exactly one CERTIFICATE REQUEST PEM block, found: ${found}`);
  }
  return requests[0].rawData;
}

function spiffeSan(request: x509.Pkcs10CertificateRequest): SpiffeId {
  let san: x509.SubjectAlternativeNameExtension | null;
  try {
    const ext = request.getExtension(OID_SUBJECT_ALT_NAME);
    san = ext ? new x509.SubjectAlternativeNameExtension(ext.rawData) : null;
  } catch (cause) {
    throw invalid('CSR subjectAltName extension cannot be decoded', cause);
  }
  const uris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  if (uris.length === 0) {
    throw new CsrError(CsrErrorCode.NO_SAN, 'CSR has no URI SAN; expected exactly one SPIFFE ID');
  }
  if (uris.length > 1) {
    throw new CsrError(
      CsrErrorCode.MULTIPLE_SANS,
      `CSR has ${uris.length} URI SANs (${uris.join(', ')}); expected exactly one SPIFFE ID`,
    );
  }
  try {
    return SpiffeId.parse(uris[0] ?? '');
  } catch (cause) {
    throw new CsrError(CsrErrorCode.SAN_NOT_SPIFFE, `CSR URI SAN is not a SPIFFE ID: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function invalid(message: string, cause?: unknown): CsrError {
  return new CsrError(CsrErrorCode.INVALID, message, cause === undefined ? undefined : { cause });
}
