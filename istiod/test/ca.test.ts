// istiod's CA against the local API server: a ztunnel-like client with a pod-bound token gets certificates for
// pods on its node and is refused everything else; the root lives in istio-ca-secret and survives a restart.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { createLogger } from '@mesh/common/log';
import { MetricsRegistry } from '@mesh/common/metrics';
import { stringStruct, type IstioCertificateServiceClient } from '@mesh/common/proto';
import { startLocalApiServer, type LocalApiServer } from '@mesh/common/testing';
import { createCsr } from '@mesh/common/tls';
import { CA_CERT_KEY, CA_SECRET_NAME, startCa, type StartedCa } from '../src/ca/index.ts';
import {
  bearer,
  caClient,
  createCertificate,
  createNamespace,
  createNode,
  createPod,
  createServiceAccount,
  grpcError,
  loadKubeConfig,
  podToken,
} from './ca-cluster.test-util.ts';

const NS = 'istio-system';
const TD = 'cluster.local';
const APP_ID = `spiffe://${TD}/ns/default/sa/app`;
const MAX_TTL_S = 48 * 3600;
const quiet = createLogger({ level: 'none' }).logger;

async function startServedCa(kc: KubeConfig, metrics: MetricsRegistry): Promise<{ ca: StartedCa; server: grpc.Server; address: string }> {
  const ca = await startCa({
    kc,
    namespace: NS,
    trustDomain: TD,
    trustedNodeAccounts: ['istio-system/ztunnel'],
    defaultTtlSeconds: 24 * 3600,
    maxTtlSeconds: MAX_TTL_S,
    audiences: ['istio-ca'],
    metrics,
    logger: quiet,
  });
  const serving = await ca.authority.issueServingCert({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const server = new grpc.Server();
  ca.addService(server);
  const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(serving.keyPem), cert_chain: Buffer.from(serving.certChainPem) }], false);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { ca, server, address: `127.0.0.1:${port}` };
}

function lifetimeSeconds(leafPem: string): number {
  const leaf = new X509Certificate(leafPem);
  return (leaf.validToDate.getTime() - leaf.validFromDate.getTime()) / 1000;
}

describe('istiod CA (local API server)', { timeout: 120_000 }, () => {
  let api: LocalApiServer | undefined;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let served: { ca: StartedCa; server: grpc.Server; address: string } | undefined;
  let client: IstioCertificateServiceClient | undefined;
  let metrics: MetricsRegistry;
  let ztunnelToken: string;
  let ztunnelPod: V1Pod;
  let appPod: V1Pod;

  before(async () => {
    api = await startLocalApiServer();
    kc = loadKubeConfig(api.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await createNamespace(core, NS);
    await createNode(core, 'node-1');
    await createNode(core, 'node-2');
    await createServiceAccount(core, NS, 'ztunnel');
    await createServiceAccount(core, 'default', 'app');
    await createServiceAccount(core, 'default', 'other');
    ztunnelPod = await createPod(core, NS, 'ztunnel-node-1', 'ztunnel', 'node-1');
    appPod = await createPod(core, 'default', 'app-1', 'app', 'node-1');
    await createPod(core, 'default', 'other-2', 'other', 'node-2');
    ztunnelToken = await podToken(core, NS, 'ztunnel', ztunnelPod);
    metrics = new MetricsRegistry({ prefix: '' });
    served = await startServedCa(kc, metrics);
    client = caClient(served.address, served.ca.rootCertPem);
  });

  after(async () => {
    client?.close();
    served?.server.forceShutdown();
    await served?.ca.stop();
    await api?.close();
  });

  it('issues a chain for a pod on the caller node: leaf SAN, leaf…root order, root from the Secret, requested TTL', async () => {
    assert.equal(served?.ca.origin, 'created');
    const { csrPem } = await createCsr(APP_ID);
    const res = await createCertificate(client!, { csr: csrPem, validity_duration: 3600, metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(ztunnelToken));
    assert.equal(res.cert_chain.length, 2);
    const [leafPem, rootPem] = res.cert_chain as [string, string];
    const leaf = new X509Certificate(leafPem);
    const root = new X509Certificate(rootPem);
    assert.equal(leaf.subjectAltName, `URI:${APP_ID}`);
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey), 'leaf is signed by the last element');
    assert.ok(root.checkIssued(root), 'last element is the self-signed root');
    const secret = await core.readNamespacedSecret({ namespace: NS, name: CA_SECRET_NAME });
    assert.equal(Buffer.from(secret.data?.[CA_CERT_KEY] ?? '', 'base64').toString(), rootPem);
    const ttl = lifetimeSeconds(leafPem);
    assert.ok(ttl >= 3600 && ttl <= 3600 + 300, `lifetime ${ttl} s (3600 s plus backdating)`);
  });

  it('caps a long TTL at the maximum and uses the default for 0', async () => {
    const { csrPem } = await createCsr(APP_ID);
    const md = () => bearer(ztunnelToken);
    const meta = stringStruct({ ImpersonatedIdentity: APP_ID });
    const capped = await createCertificate(client!, { csr: csrPem, validity_duration: 365 * 86400, metadata: meta }, md());
    const ttl = lifetimeSeconds(capped.cert_chain[0] as string);
    assert.ok(ttl >= MAX_TTL_S && ttl <= MAX_TTL_S + 300, `capped lifetime ${ttl} s`);
    const dflt = await createCertificate(client!, { csr: csrPem, validity_duration: 0, metadata: meta }, md());
    const d = lifetimeSeconds(dflt.cert_chain[0] as string);
    assert.ok(d >= 86400 && d <= 86400 + 300, `default lifetime ${d} s`);
  });

  it('gives a workload its own identity without impersonation', async () => {
    const token = await podToken(core, 'default', 'app', appPod);
    const { csrPem } = await createCsr(APP_ID);
    const res = await createCertificate(client!, { csr: csrPem }, bearer(token));
    assert.equal(new X509Certificate(res.cert_chain[0] as string).subjectAltName, `URI:${APP_ID}`);
  });

  it('refuses to impersonate a pod that runs on another node', async () => {
    const other = `spiffe://${TD}/ns/default/sa/other`;
    const { csrPem } = await createCsr(other);
    await assert.rejects(
      createCertificate(client!, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: other }) }, bearer(ztunnelToken)),
      grpcError(grpc.status.UNAUTHENTICATED, /no pod with service account default\/other runs on node node-1/),
    );
  });

  it('refuses impersonation by a service account that is not a trusted node account', async () => {
    const token = await podToken(core, 'default', 'app', appPod);
    const { csrPem } = await createCsr(APP_ID);
    await assert.rejects(
      createCertificate(client!, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(token)),
      grpcError(grpc.status.UNAUTHENTICATED, /default\/app is not a trusted node account/),
    );
  });

  it('refuses impersonation with a ztunnel token not bound to a pod', async () => {
    const token = await podToken(core, NS, 'ztunnel');
    const { csrPem } = await createCsr(APP_ID);
    await assert.rejects(
      createCertificate(client!, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(token)),
      grpcError(grpc.status.UNAUTHENTICATED, /not bound to a pod/),
    );
  });

  it('refuses callers without a token, with a garbage token and with a token for another audience', async () => {
    const { csrPem } = await createCsr(APP_ID);
    await assert.rejects(createCertificate(client!, { csr: csrPem }, new grpc.Metadata()), grpcError(grpc.status.UNAUTHENTICATED, /no authorization metadata/));
    await assert.rejects(createCertificate(client!, { csr: csrPem }, bearer('not-a-jwt')), grpcError(grpc.status.UNAUTHENTICATED, /token not authenticated/));
    const apiToken = await podToken(core, NS, 'ztunnel', ztunnelPod, ['https://kubernetes.default.svc.cluster.local']);
    await assert.rejects(createCertificate(client!, { csr: csrPem }, bearer(apiToken)), grpcError(grpc.status.UNAUTHENTICATED, /audience/));
  });

  it('refuses a bad CSR and a CSR whose SAN is not the authorised identity, with no certificate', async () => {
    await assert.rejects(
      createCertificate(client!, { csr: 'not a csr', metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(ztunnelToken)),
      grpcError(grpc.status.INVALID_ARGUMENT, /CSR/),
    );
    const { csrPem } = await createCsr(`spiffe://${TD}/ns/default/sa/other`);
    await assert.rejects(
      createCertificate(client!, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(ztunnelToken)),
      grpcError(grpc.status.INVALID_ARGUMENT, /sa\/other.*sa\/app/),
    );
  });

  it('counts requests, issuances and authentication failures', async () => {
    const text = await metrics.metrics();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const csr = value('citadel_server_csr_count');
    const ok = value('citadel_server_success_cert_issuance_count');
    const authn = value('citadel_server_authentication_failure_count');
    assert.ok(ok >= 4, `issued ${ok}`);
    assert.ok(authn >= 6, `authn failures ${authn}`);
    assert.ok(csr >= ok + authn + 2, `csr ${csr}`);
  });

  it('keeps the root across a restart (same Secret)', async () => {
    const again = await startServedCa(kc, new MetricsRegistry({ prefix: '' }));
    try {
      assert.equal(again.ca.origin, 'loaded');
      assert.equal(again.ca.rootCertPem, served?.ca.rootCertPem);
      const c = caClient(again.address, served!.ca.rootCertPem);
      try {
        const { csrPem } = await createCsr(APP_ID);
        const res = await createCertificate(c, { csr: csrPem, metadata: stringStruct({ ImpersonatedIdentity: APP_ID }) }, bearer(ztunnelToken));
        assert.equal(res.cert_chain.at(-1), served?.ca.rootCertPem);
      } finally {
        c.close();
      }
    } finally {
      again.server.forceShutdown();
      await again.ca.stop();
    }
  });
});
