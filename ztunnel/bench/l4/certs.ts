// A throwaway mesh PKI for the benchmark: one test CA, a client and a server SPIFFE identity (ECDSA P-256),
// kept in memory for our proxies and written as PEM files for stunnel and ztunnel.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CertificateAuthority } from '@mesh/common/ca';
import { createCsr } from '@mesh/common/tls';
import type { MtlsMaterial } from '@mesh/common/tls';

export const TRUST_DOMAIN = 'cluster.local';
export const CLIENT_ID = `spiffe://${TRUST_DOMAIN}/ns/bench/sa/client`;
export const SERVER_ID = `spiffe://${TRUST_DOMAIN}/ns/bench/sa/server`;

/** One identity: material for Node TLS and the paths of its PEM files. */
export interface BenchIdentity {
  id: string;
  material: MtlsMaterial;
  keyFile: string;
  certFile: string;
}

/** The CA root file and the two identities. */
export interface BenchPki {
  rootFile: string;
  rootPem: string;
  client: BenchIdentity;
  server: BenchIdentity;
}

export async function createBenchPki(dir: string): Promise<BenchPki> {
  const ca = await CertificateAuthority.generate({ trustDomain: TRUST_DOMAIN });
  const rootFile = path.join(dir, 'root-cert.pem');
  writeFileSync(rootFile, ca.rootCertPem);
  const issue = async (name: string, id: string): Promise<BenchIdentity> => {
    const csr = await createCsr(id);
    const chain = await ca.sign(csr.csrPem);
    const keyFile = path.join(dir, `${name}-key.pem`);
    const certFile = path.join(dir, `${name}-cert.pem`);
    writeFileSync(keyFile, csr.keyPem, { mode: 0o600 });
    writeFileSync(certFile, chain.join(''));
    return { id, material: { keyPem: csr.keyPem, certChain: chain, roots: ca.rootCertPem }, keyFile, certFile };
  };
  return { rootFile, rootPem: ca.rootCertPem, client: await issue('client', CLIENT_ID), server: await issue('server', SERVER_ID) };
}
