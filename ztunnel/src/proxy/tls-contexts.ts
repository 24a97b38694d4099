// Native TLS contexts (OpenSSL SSL_CTX) of workload certificates, one per certificate and role, built on first
// use and dropped with the certificate object once it is replaced and no connection holds it.
import { nativeTlsContext } from '@mesh/common/hbone';
import type { NativeTlsContext } from '@mesh/common/hbone';
import type { WorkloadCert } from '../identity/cert-manager.ts';

const client = new WeakMap<WorkloadCert, NativeTlsContext>();
const server = new WeakMap<WorkloadCert, NativeTlsContext>();

export function tlsContextOf(cert: WorkloadCert, role: 'client' | 'server'): NativeTlsContext {
  const cache = role === 'client' ? client : server;
  let ctx = cache.get(cert);
  if (ctx === undefined) {
    ctx = nativeTlsContext({ keyPem: cert.keyPem, certChain: cert.certChain, roots: cert.roots }, role);
    cache.set(cert, ctx);
  }
  return ctx;
}
