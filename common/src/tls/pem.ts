import { x509 } from './x509-lib.ts';

/** PEM-encodes DER bytes under `label`, with "\n" line ends and a trailing "\n" (the CA wire format needs it). */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Splits a PEM bundle into one PEM string per certificate, normalised to "\n" line ends with a trailing "\n".
 * Blocks other than CERTIFICATE are ignored; returns [] when there are none.
 */
export function splitPemCertificates(bundle: string): string[] {
  if (typeof bundle !== 'string' || !x509.PemConverter.isPem(bundle)) return [];
  return x509.PemConverter.decodeWithHeaders(bundle)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => toPem(block.rawData, 'CERTIFICATE'));
}
