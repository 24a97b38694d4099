import type { X509Certificate as NodeX509 } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { SpiffeId } from '../identity/index.ts';
import { TlsError, TlsErrorCode } from './tls-errors.ts';

/** One subjectAltName entry as Node prints it, e.g. `{ type: 'URI', value: 'spiffe://…' }`. */
export interface SanEntry {
  readonly type: string;
  readonly value: string;
}

/** A certificate as either Node API hands it to us. */
export type AnyNodeCert = NodeX509 | PeerCertificate;

/**
 * Parses Node's subjectAltName text (`URI:spiffe://a, DNS:b`). Node separates entries with ", " and, since the
 * 2022 SAN-injection fix, prints any value holding a comma, quote or other special character as a JSON string
 * (`URI:"spiffe://a, DNS:b"`), so a naive split on ", " could be fooled into seeing a second SAN. Throws
 * {@link TlsError} on text it cannot parse, so callers fail closed.
 */
export function parseSubjectAltName(text: string | undefined): SanEntry[] {
  const entries: SanEntry[] = [];
  if (!text) return entries;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw malformed(text);
    const type = text.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      if (k >= text.length) throw malformed(text);
      try {
        value = JSON.parse(text.slice(j, k + 1)) as string;
      } catch (cause) {
        throw malformed(text, cause);
      }
      j = k + 1;
    } else {
      const comma = text.indexOf(', ', j);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(j, end);
      j = end;
    }
    entries.push({ type, value });
    if (j < text.length) {
      if (!text.startsWith(', ', j)) throw malformed(text);
      j += 2;
    }
    i = j;
  }
  return entries;
}

/** The URI SANs of a certificate, in order. */
export function uriSansOf(cert: AnyNodeCert): string[] {
  const text = 'subjectAltName' in cert ? cert.subjectAltName : cert.subjectaltname;
  return parseSubjectAltName(text)
    .filter((e) => e.type === 'URI')
    .map((e) => e.value);
}

/**
 * The SPIFFE identities of a certificate. Any URI SAN using the spiffe scheme that does not parse makes this
 * throw, rather than being skipped, so a malformed identity can never pass a check by being ignored.
 */
export function spiffeIdsOf(cert: AnyNodeCert): SpiffeId[] {
  return uriSansOf(cert)
    .filter((uri) => uri.toLowerCase().startsWith('spiffe:'))
    .map((uri) => {
      try {
        return SpiffeId.parse(uri);
      } catch (cause) {
        throw new TlsError(TlsErrorCode.MALFORMED_SAN, `peer certificate has a malformed SPIFFE ID "${uri}"`, {
          cause,
        });
      }
    });
}

function malformed(text: string, cause?: unknown): TlsError {
  const shown = text.length > 200 ? `${text.slice(0, 197)}...` : text;
  return new TlsError(TlsErrorCode.MALFORMED_SAN, `cannot parse certificate subjectAltName "${shown}"`, {
    cause,
  });
}
