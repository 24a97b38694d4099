// Helpers of the HBONE tests: workload material from a test CA and loopback socket pairs.
import net from 'node:net';
import { once } from 'node:events';
import type { CertificateAuthority } from '../ca/index.ts';
import { createCsr } from '../tls/index.ts';
import type { MtlsMaterial } from '../tls/index.ts';

export const TD = 'cluster.local';
export const CLIENT_ID = `spiffe://${TD}/ns/default/sa/sleep`;
export const SERVER_ID = `spiffe://${TD}/ns/default/sa/echo`;

/** A key, a certificate for `id` signed by `ca`, and the mesh root. */
export async function issueMaterial(ca: CertificateAuthority, id: string): Promise<MtlsMaterial> {
  const csr = await createCsr(id);
  return { keyPem: csr.keyPem, certChain: await ca.sign(csr.csrPem), roots: ca.rootCertPem };
}

/** A connected loopback pair: `app` is what a test drives, `proxySide` (not yet read by anyone) goes to a proxy. */
export async function appPair(): Promise<{ app: net.Socket; proxySide: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(server, 'connection');
  const app = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, allowHalfOpen: true });
  const [proxySide] = (await accepted) as [net.Socket];
  server.close();
  return { app, proxySide };
}

/** A half-open-capable TCP connection to 127.0.0.1:port. */
export function connectLoopback(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}
