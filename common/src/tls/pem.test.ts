import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509, generateKeyPairSync } from 'node:crypto';
import { CertificateAuthority } from '../ca/index.ts';
import { createCsr } from './csr.ts';
import { splitPemCertificates, toPem } from './pem.ts';

describe('splitPemCertificates', () => {
  let leaf: string;
  let root: string;
  before(async () => {
    const ca = await CertificateAuthority.generate();
    [leaf, root] = (await ca.sign((await createCsr('spiffe://cluster.local/ns/a/sa/b')).csrPem)) as [string, string];
  });
  const keyPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  /** Re-wraps a PEM's base64 at `width` characters with `eol` line ends (and no trailing newline). */
  const rewrap = (pem: string, width: number, eol: string) => {
    const b64 = pem.replace(/-----[^-]+-----|\s/g, '');
    const lines = b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
    return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----'].join(eol);
  };

  it('splits a chain into one normalised PEM per certificate, in order', () => {
    const out = splitPemCertificates(leaf + root);
    assert.deepEqual(out, [leaf, root]);
    for (const pem of out) assert.match(pem, /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
    assert.equal(new NodeX509(out[0] as string).fingerprint256, new NodeX509(leaf).fingerprint256);
  });

  it('accepts CRLF line ends and other line widths, and normalises them', () => {
    assert.deepEqual(splitPemCertificates(rewrap(leaf, 76, '\r\n') + '\r\n' + rewrap(root, 64, '\r\n')), [leaf, root]);
    assert.deepEqual(splitPemCertificates(rewrap(leaf, 40, '\n')), [leaf]);
  });

  it('ignores text before, between and after the blocks', () => {
    const bundle = `subject=CN = leaf\nissuer=CN = root\n${leaf}\n# the root:\n\n${root}trailing words`;
    assert.deepEqual(splitPemCertificates(bundle), [leaf, root]);
  });

  it('skips blocks of other types', () => {
    assert.deepEqual(splitPemCertificates(keyPem() + leaf + toPem(Buffer.from('x'), 'CERTIFICATE REQUEST') + root), [leaf, root]);
    assert.deepEqual(splitPemCertificates(keyPem()), []);
  });

  it('skips a CERTIFICATE block that is not base64 or not closed, keeping the good ones', () => {
    const badBody = '-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n';
    const unclosed = '-----BEGIN CERTIFICATE-----\nAAAA\n';
    const wrongEnd = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const empty = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
    assert.deepEqual(splitPemCertificates(badBody + unclosed + wrongEnd + empty + leaf), [leaf]);
  });

  it('returns [] for garbage, empty input and non-strings', () => {
    for (const input of ['', 'garbage', '-----BEGIN CERTIFICATE-----', '\u0000\u00ff', 'BEGIN CERTIFICATE AAAA END CERTIFICATE']) {
      assert.deepEqual(splitPemCertificates(input), [], JSON.stringify(input));
    }
    assert.deepEqual(splitPemCertificates(undefined as unknown as string), []);
    assert.deepEqual(splitPemCertificates(42 as unknown as string), []);
  });
});

describe('toPem', () => {
  it('wraps at 64 characters with "\\n" line ends and a trailing "\\n"', () => {
    const pem = toPem(new Uint8Array(100).fill(0xff), 'TEST');
    const lines = pem.split('\n');
    assert.equal(lines[0], '-----BEGIN TEST-----');
    assert.equal(lines[1]?.length, 64);
    assert.equal(lines.at(-2), '-----END TEST-----');
    assert.equal(lines.at(-1), '');
  });
});
