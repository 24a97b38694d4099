// ztunnel imports `@mesh/common/tls` in every node; the ASN.1 library behind the CA (@peculiar/x509 and its
// reflect-metadata polyfill) costs several MB per process, so that entry must never load it. Each case runs
// a fresh Node process that records every module it loads, imports one entry, and reports what came in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { probeImport } from '../testing/import-probe.ts';

const COMMON_DIR = fileURLToPath(new URL('../..', import.meta.url));
const ASN1_MODULE = /[/\\](@peculiar[/\\]|reflect-metadata[/\\]|asn1js[/\\]|tsyringe[/\\])|x509-lib\.ts$/;

interface LoadReport {
  readonly exports: string[];
  readonly asn1Modules: string[];
  readonly reflectMetadataInstalled: boolean;
}

/** Imports `specifier` in a child process (cwd = the common package) and lists the ASN.1 modules it loaded. */
async function loadIn(specifier: string): Promise<LoadReport> {
  const r = await probeImport(specifier, COMMON_DIR, { reflectMetadataInstalled: "typeof Reflect.getMetadata === 'function'" });
  return { exports: r.exports, asn1Modules: r.loadedUrls.filter((u) => ASN1_MODULE.test(u)), reflectMetadataInstalled: r.values.reflectMetadataInstalled === true };
}

test('importing @mesh/common/tls loads neither @peculiar/x509 nor reflect-metadata', async () => {
  const report = await loadIn('@mesh/common/tls');
  assert.ok(report.exports.includes('createCsr') && report.exports.includes('hboneServerOptions'), `exports: ${report.exports}`);
  assert.deepEqual(report.asn1Modules, [], 'a module exported by @mesh/common/tls loads the ASN.1 library; export it from @mesh/common/ca');
  assert.equal(report.reflectMetadataInstalled, false);
});

test('the check can fail: importing @mesh/common/ca does load them', async () => {
  const report = await loadIn('@mesh/common/ca');
  assert.ok(report.exports.includes('CertificateAuthority'), `exports: ${report.exports}`);
  assert.ok(report.asn1Modules.some((u) => u.includes('@peculiar')), `loaded: ${report.asn1Modules}`);
  assert.ok(report.asn1Modules.some((u) => u.includes('reflect-metadata')), `loaded: ${report.asn1Modules}`);
  assert.ok(report.asn1Modules.some((u) => u.endsWith('x509-lib.ts')), `loaded: ${report.asn1Modules}`);
  assert.equal(report.reflectMetadataInstalled, true);
});
