// The CA as the server needs it: the authority that issues istiod's serving certificate, the root to publish,
// the gRPC service to add (when the CA component provides one), and a stop hook.
import type * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '@mesh/common/tls';

export interface IstiodCa {
  readonly authority: CertificateAuthority;
  readonly rootCertPem: string;
  /** Adds `istio.v1.auth.IstioCertificateService` to the gRPC server (absent: no CA on this port). */
  readonly addService?: (server: grpc.Server) => void;
  stop(): Promise<void>;
}

/** A throwaway self-signed root: for tests and as the fallback when no CA component is wired. */
export async function ephemeralCa(trustDomain: string): Promise<IstiodCa> {
  const authority = await CertificateAuthority.generate({ trustDomain });
  return { authority, rootCertPem: authority.rootCertPem, stop: async () => {} };
}
