import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate, Server as TlsServer, TLSSocket } from 'node:tls';
import { SpiffeId } from '../identity/index.ts';
import { spiffeIdsOf } from './san.ts';
import { TlsError, TlsErrorCode } from './tls-errors.ts';

/** Signature of Node's `checkServerIdentity` option. */
export type CheckServerIdentity = (hostname: string, cert: PeerCertificate) => Error | undefined;

/**
 * Builds a `checkServerIdentity` for HBONE clients: the server leaf must carry a SPIFFE URI SAN equal to one of
 * `expected` (the destination workload's identity plus its services' SANs). Hostnames are ignored; mesh peers
 * are dialled by IP and named only by SPIFFE ID. Node skips this hook on resumed sessions, one more reason the
 * mTLS options disable resumption.
 */
export function spiffeServerIdentityCheck(expected: Iterable<SpiffeId | string>): CheckServerIdentity {
  const check = serverIdentityCheck(expected);
  return (_hostname, cert) => check(cert);
}

/** The same check on any certificate form (Node's PeerCertificate or an X509Certificate, as native sessions give). */
export function serverIdentityCheck(expected: Iterable<SpiffeId | string>): (cert: PeerCertificate | X509Certificate | undefined) => Error | undefined {
  const wanted = [...expected].map((id) => (typeof id === 'string' ? SpiffeId.parse(id) : id).toString());
  if (wanted.length === 0) {
    throw new TlsError(TlsErrorCode.INVALID_MATERIAL, 'at least one expected server identity is required');
  }
  const wantedSet = new Set(wanted);
  return (cert) => {
    if (cert === undefined) return new TlsError(TlsErrorCode.NO_PEER_IDENTITY, 'server presented no certificate');
    let got: string[];
    try {
      got = spiffeIdsOf(cert).map((id) => id.toString());
    } catch (err) {
      return err as Error;
    }
    if (got.some((id) => wantedSet.has(id))) return undefined;
    return new TlsError(
      TlsErrorCode.SAN_MISMATCH,
      `server identity mismatch: expected one of [${wanted.join(', ')}], got [${got.join(', ')}]`,
    );
  };
}

/**
 * Server-side check after the handshake: the client leaf must carry at least one SPIFFE identity and every one
 * must be in `trustDomain` (ours). Node's verifier already chained the leaf to the mesh roots; this stops a
 * workload of another trust domain that shares those roots. Returns the error rather than throwing.
 */
export function checkClientTrustDomain(socket: TLSSocket, trustDomain: string): TlsError | undefined {
  return checkCertTrustDomain(socket.getPeerX509Certificate(), trustDomain);
}

/** {@link checkClientTrustDomain} on the client's certificate itself. */
export function checkCertTrustDomain(cert: X509Certificate | undefined, trustDomain: string): TlsError | undefined {
  if (!cert) return new TlsError(TlsErrorCode.NO_PEER_IDENTITY, 'client presented no certificate');
  let ids: SpiffeId[];
  try {
    ids = spiffeIdsOf(cert);
  } catch (err) {
    return err as TlsError;
  }
  if (ids.length === 0) {
    return new TlsError(TlsErrorCode.NO_PEER_IDENTITY, 'client certificate carries no SPIFFE identity');
  }
  const foreign = ids.filter((id) => id.trustDomain !== trustDomain);
  if (foreign.length > 0) {
    return new TlsError(
      TlsErrorCode.TRUST_DOMAIN_MISMATCH,
      `client identity ${foreign.map(String).join(', ')} is not in trust domain ${trustDomain}`,
    );
  }
  return undefined;
}

/**
 * Makes `server` drop, right after the handshake, every client that fails {@link checkClientTrustDomain}.
 * The check is prepended so it runs before other `secureConnection` listeners (an HTTP/2 server's own one
 * included); those still run, but on a destroyed socket. The socket is destroyed without an error so nothing
 * is emitted on a socket that may have no error listener yet; `onReject` is where to log.
 */
export function enforceClientTrustDomain(
  server: TlsServer,
  trustDomain: string,
  onReject?: (err: TlsError, socket: TLSSocket) => void,
): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const err = checkClientTrustDomain(socket, trustDomain);
    if (!err) return;
    socket.destroy();
    onReject?.(err, socket);
  });
}

/** The authenticated peer's identity: the first SPIFFE URI SAN of its leaf, or undefined if it has none. */
export function peerIdentity(socket: TLSSocket): SpiffeId | undefined {
  return certIdentity(socket.getPeerX509Certificate());
}

/** The first SPIFFE URI SAN of a certificate, or undefined. */
export function certIdentity(cert: X509Certificate | undefined): SpiffeId | undefined {
  if (!cert) return undefined;
  try {
    return spiffeIdsOf(cert)[0];
  } catch {
    return undefined;
  }
}
