import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '@mesh/common/log';
import { CertificateAuthority } from '@mesh/common/ca';
import type { CaClient } from './ca-client.ts';
import { CertManager } from './cert-manager.ts';

const silent = { info: () => {}, warn: () => {}, debug: () => {}, error: () => {} } as unknown as Logger;
const ID = 'spiffe://cluster.local/ns/default/sa/sleep';

describe('CertManager', () => {
  let ca: CertificateAuthority;
  before(async () => {
    ca = await CertificateAuthority.generate();
  });

  function client(failFirst = 0): CaClient & { calls: number } {
    const c = {
      calls: 0,
      sign: async (csr: string, identity: string, ttl: number) => {
        c.calls++;
        if (c.calls <= failFirst) throw new Error('CA unavailable');
        return ca.sign(csr, { identity, ttlSeconds: ttl });
      },
      close: () => {},
    };
    return c;
  }

  const managers: CertManager[] = [];
  after(() => managers.forEach((m) => m.close()));

  it('fetches a certificate for a tracked identity and reports it', async () => {
    const m = new CertManager({ ca: client(), ttlSeconds: 3600, logger: silent });
    managers.push(m);
    m.track(ID);
    const cert = await m.get(ID);
    assert.equal(cert.identity, ID);
    assert.ok(cert.roots.length === 1 && cert.certChain.length === 1);
    assert.ok(cert.notAfter - cert.notBefore >= 3600_000);
    assert.equal((m.dump()[0] as { state: string }).state, 'available');
  });

  it('retries after a failure (backoff) and then succeeds', async () => {
    const c = client(1);
    const m = new CertManager({ ca: c, ttlSeconds: 3600, logger: silent });
    managers.push(m);
    m.track(ID);
    const cert = await m.get(ID, 10_000);
    assert.equal(cert.identity, ID);
    assert.equal(c.calls, 2);
  });

  it('drops the certificate when released', async () => {
    const m = new CertManager({ ca: client(), ttlSeconds: 3600, logger: silent });
    managers.push(m);
    m.track(ID);
    await m.get(ID);
    m.release(ID);
    assert.equal(m.current(ID), undefined);
    await assert.rejects(m.get(ID), /no certificate is tracked/);
  });
});

describe('parseChain', () => {
  it('names the identities when the leaf is not the one asked for', async () => {
    const { parseChain } = await import('./cert-manager.ts');
    const { createCsr } = await import('@mesh/common/tls');
    const ca = await CertificateAuthority.generate();
    const csr = await createCsr('spiffe://cluster.local/ns/a/sa/b');
    const chain = await ca.sign(csr.csrPem);
    assert.throws(() => parseChain(ID, csr.keyPem, chain), /asked for spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep/);
  });
});
