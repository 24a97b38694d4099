import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createCa } from './certs.ts';
import { TokenIssuer } from './tokens.ts';

/** The long-lived secrets of one local cluster: its CA, the token signing key and the admin bearer token. */
export interface ClusterIdentity {
  readonly ca: { readonly certPem: string; readonly keyPem: string };
  readonly signingKeyPem: string;
  readonly adminToken: string;
}

function readOr(path: string, make: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const v = make();
    writeFileSync(path, v, { mode: 0o600 });
    return v;
  }
}

/** A fresh identity, for a server with no data directory. */
export async function newIdentity(): Promise<ClusterIdentity> {
  return { ca: await createCa(), signingKeyPem: TokenIssuer.generateKeyPem(), adminToken: randomBytes(24).toString('base64url') };
}

/**
 * Loads the identity from `<dir>/pki`, creating what is missing, so a restarted server keeps its CA (and the
 * kubeconfig stays valid) and keeps accepting the tokens it issued.
 */
export async function loadOrCreateIdentity(dir: string): Promise<ClusterIdentity> {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  let fresh: ClusterIdentity['ca'] | undefined;
  const ca = async (): Promise<ClusterIdentity['ca']> => (fresh ??= await createCa());
  let certPem: string;
  let keyPem: string;
  try {
    certPem = readFileSync(join(pki, 'ca.crt'), 'utf8');
    keyPem = readFileSync(join(pki, 'ca.key'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    ({ certPem, keyPem } = await ca());
    writeFileSync(join(pki, 'ca.crt'), certPem);
    writeFileSync(join(pki, 'ca.key'), keyPem, { mode: 0o600 });
  }
  return {
    ca: { certPem, keyPem },
    signingKeyPem: readOr(join(pki, 'sa.key'), () => TokenIssuer.generateKeyPem()),
    adminToken: readOr(join(pki, 'admin.token'), () => randomBytes(24).toString('base64url')).trim(),
  };
}
