/** PEM-encodes DER bytes under `label`, with "\n" line ends and a trailing "\n" (the CA wire format needs it). */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * One PEM block: its label and a body without dashes, then the END line with the same label. A body cannot hold
 * another BEGIN line, so a block missing its END line is skipped rather than swallowing the next one.
 */
const PEM_BLOCK = /-----BEGIN ([^\r\n-]+(?:-[^\r\n-]+)*)-----([^-]*)-----END \1-----/g;
/** A base64 body once whitespace is removed: padding only at the end, a whole number of 4-character groups. */
const BASE64_BODY = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Splits a PEM bundle into one PEM string per certificate, normalised to "\n" line ends with a trailing "\n".
 * Blocks other than CERTIFICATE, and CERTIFICATE blocks whose body is not base64, are ignored; returns [] when
 * there are none. Text between blocks is ignored. Only the PEM framing is checked, not the DER inside.
 */
export function splitPemCertificates(bundle: string): string[] {
  if (typeof bundle !== 'string') return [];
  const certs: string[] = [];
  for (const [, label, body] of bundle.matchAll(PEM_BLOCK)) {
    if (label !== 'CERTIFICATE') continue;
    const b64 = (body as string).replace(/\s+/g, '');
    if (b64.length === 0 || !BASE64_BODY.test(b64)) continue;
    certs.push(toPem(Buffer.from(b64, 'base64'), 'CERTIFICATE'));
  }
  return certs;
}
