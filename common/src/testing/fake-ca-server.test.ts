import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  createCaClient,
  stringStruct,
  type IstioCertificateRequest,
  type IstioCertificateResponse__Output,
  type IstioCertificateServiceClient,
} from '../proto/index.ts';
import { createCsr } from '../tls/index.ts';
import { FakeCaServer } from './fake-ca-server.ts';

const DEADLINE_MS = 10_000;

function call(client: IstioCertificateServiceClient, req: IstioCertificateRequest, md = new grpc.Metadata()): Promise<IstioCertificateResponse__Output> {
  return new Promise((resolve, reject) => {
    client.CreateCertificate(req, md, { deadline: Date.now() + DEADLINE_MS }, (err, res) => (err ? reject(err) : resolve(res as IstioCertificateResponse__Output)));
  });
}

describe('FakeCaServer', () => {
  let fake: FakeCaServer;
  let client: IstioCertificateServiceClient;
  before(async () => {
    fake = await FakeCaServer.start();
    client = createCaClient(fake.address, grpc.credentials.createSsl(Buffer.from(fake.rootCertPem)));
  });
  after(() => {
    client?.close();
    fake?.close();
  });

  it('signs over TLS for the impersonated identity and records the request', async () => {
    const id = 'spiffe://cluster.local/ns/default/sa/app';
    const { csrPem } = await createCsr(id);
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer tok');
    md.set('clusterid', 'Kubernetes');
    const res = await call(client, { csr: csrPem, validity_duration: 3600, metadata: stringStruct({ ImpersonatedIdentity: id }) }, md);
    assert.equal(res.cert_chain.length, 2);
    assert.equal(res.cert_chain[1], fake.rootCertPem);
    const leaf = new X509Certificate(res.cert_chain[0] as string);
    assert.equal(leaf.subjectAltName, `URI:${id}`);
    const last = fake.requests.at(-1);
    assert.deepEqual(last, { csrPem, validitySeconds: 3600, impersonatedIdentity: id, authorization: 'Bearer tok', clusterId: 'Kubernetes', csrIdentity: id });
  });

  it('refuses a CSR for another identity than the impersonated one, and fails on demand', async () => {
    const { csrPem } = await createCsr('spiffe://cluster.local/ns/default/sa/other');
    await assert.rejects(
      call(client, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: 'spiffe://cluster.local/ns/default/sa/app' }) }),
      (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /sa\/other/.test(e.details),
    );
    fake.failNext(1, { code: grpc.status.UNAUTHENTICATED, details: 'nope' });
    await assert.rejects(call(client, { csr: csrPem }), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED);
    const ok = await call(client, { csr: csrPem });
    assert.equal(ok.cert_chain.length, 2);
    fake.failAll();
    await assert.rejects(call(client, { csr: csrPem }), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE);
    fake.stopFailing();
    assert.equal((await call(client, { csr: csrPem })).cert_chain.length, 2);
  });
});
