import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, it } from 'node:test';
import { hasCode } from '../errors.ts';
import { CertificateAuthority } from './ca.ts';
import { CaErrorCode } from './tls-errors.ts';

describe('CertificateAuthority.issueServingCert', () => {
  it('issues a serverAuth leaf with DNS and IP SANs, chained to the root', async () => {
    const ca = await CertificateAuthority.generate({ intermediate: true });
    const cert = await ca.issueServingCert({ dnsNames: ['istiod.istio-system.svc', 'localhost'], ipAddresses: ['127.0.0.1', '::1'], ttlSeconds: 3600 });
    assert.equal(cert.certChain.length, 3);
    assert.equal(cert.certChain[2], ca.rootCertPem);
    const leaf = new X509Certificate(cert.certChain[0] as string);
    assert.equal(leaf.subjectAltName, 'DNS:istiod.istio-system.svc, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(new X509Certificate(cert.certChain[1] as string)));
    const lifetime = leaf.validToDate.getTime() - leaf.validFromDate.getTime();
    assert.ok(lifetime > 3600_000 && lifetime <= 3600_000 + 5 * 60_000, `lifetime ${lifetime} ms`);
  });

  it('serves TLS that a client trusting only the root accepts for a DNS name and an IP', async (t) => {
    const ca = await CertificateAuthority.generate();
    const cert = await ca.issueServingCert({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const server = createServer({ key: cert.keyPem, cert: cert.certChainPem }, (s) => s.end('ok'));
    t.after(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    // servername 'localhost' is checked against the DNS SANs; no servername against the IP SAN of the host.
    for (const name of ['localhost', undefined]) {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.rootCertPem, ...(name ? { servername: name } : {}) });
      t.after(() => socket.destroy());
      const [data] = (await Promise.race([
        once(socket, 'data'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no data within 10 s')), 10_000).unref()),
      ])) as [Buffer];
      assert.equal(data.toString(), 'ok');
    }
    const wrong = connect({ host: '127.0.0.1', port, servername: 'other.example', ca: ca.rootCertPem });
    t.after(() => wrong.destroy());
    const [err] = (await once(wrong, 'error')) as [Error & { code?: string }];
    assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses requests without hosts and with malformed names', async () => {
    const ca = await CertificateAuthority.generate();
    for (const bad of [{}, { dnsNames: ['bad name'] }, { ipAddresses: ['10.0.0.300'] }]) {
      await assert.rejects(ca.issueServingCert(bad), (e) => hasCode(e, CaErrorCode.INVALID_SERVING_REQUEST));
    }
    await assert.rejects(ca.issueServingCert({ dnsNames: ['a'], ttlSeconds: 0 }), (e) => hasCode(e, CaErrorCode.INVALID_TTL));
  });
});
