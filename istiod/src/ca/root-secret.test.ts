import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '@mesh/common/errors';
import { CertificateAuthority } from '@mesh/common/ca';
import { IstiodCaErrorCode } from './ca-errors.ts';
import { CA_CERT_KEY, CA_KEY_KEY, caFromSecret, secretFor } from './root-secret.ts';

describe('istio-ca-secret layout', () => {
  it('round-trips a generated CA through the Secret', async () => {
    const ca = await CertificateAuthority.generate();
    const secret = secretFor(ca, 'istio-system');
    assert.equal(secret.metadata?.name, 'istio-ca-secret');
    assert.equal(secret.type, 'istio.io/ca-root');
    assert.equal(Buffer.from(secret.data?.[CA_CERT_KEY] ?? '', 'base64').toString(), ca.rootCertPem);
    const loaded = await caFromSecret(secret, {});
    assert.equal(loaded.rootCertPem, ca.rootCertPem);
    assert.equal(loaded.material.keyPem, ca.material.keyPem);
  });

  it('names a key that does not match the certificate', async () => {
    const a = secretFor(await CertificateAuthority.generate(), 'istio-system');
    const b = secretFor(await CertificateAuthority.generate(), 'istio-system');
    const mixed = { ...a, data: { ...a.data, [CA_KEY_KEY]: b.data?.[CA_KEY_KEY] ?? '' } };
    await assert.rejects(caFromSecret(mixed, {}), (e) => hasCode(e, IstiodCaErrorCode.ROOT_SECRET) && /does not match/.test((e as Error).message));
  });
});
