// The root's life outside CreateCertificate: concurrent creators agree on one Secret, a broken Secret is named,
// and ConfigMap istio-ca-root-cert is published into every namespace and put back when deleted or edited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { hasCode } from '@mesh/common/errors';
import { createLogger } from '@mesh/common/log';
import { startLocalApiServer, type LocalApiServer } from '@mesh/common/testing';
import {
  CA_SECRET_NAME,
  IstiodCaErrorCode,
  ROOT_CERT_CONFIGMAP,
  ROOT_CERT_KEY,
  createRootCertPublisher,
  loadOrCreateRoot,
  type RootCertPublisher,
} from '../src/ca/index.ts';
import { createNamespace, eventually, loadKubeConfig } from './ca-cluster.test-util.ts';

const quiet = createLogger({ level: 'none' }).logger;

describe('istiod CA root (local API server)', { timeout: 120_000 }, () => {
  let api: LocalApiServer | undefined;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let publisher: RootCertPublisher | undefined;

  before(async () => {
    api = await startLocalApiServer();
    kc = loadKubeConfig(api.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await publisher?.stop();
    await api?.close();
  });

  it('concurrent first starts agree on one root', async () => {
    await createNamespace(core, 'ca-race');
    const opts = { namespace: 'ca-race', trustDomain: 'cluster.local' };
    const results = await Promise.all([1, 2, 3].map(() => loadOrCreateRoot(kc.makeApiClient(CoreV1Api), opts)));
    const roots = new Set(results.map((r) => r.ca.rootCertPem));
    assert.equal(roots.size, 1, 'every starter ends with the same root');
    assert.equal(results.filter((r) => r.origin === 'created').length, 1);
    const later = await loadOrCreateRoot(core, opts);
    assert.equal(later.origin, 'loaded');
    assert.equal(later.ca.rootCertPem, results[0]?.ca.rootCertPem);
  });

  it('names a Secret that holds no usable CA material', async () => {
    await createNamespace(core, 'ca-broken');
    await core.createNamespacedSecret({
      namespace: 'ca-broken',
      body: { metadata: { name: CA_SECRET_NAME }, data: { 'ca-cert.pem': Buffer.from('garbage').toString('base64') } },
    });
    await assert.rejects(
      loadOrCreateRoot(core, { namespace: 'ca-broken', trustDomain: 'cluster.local' }),
      (e) => hasCode(e, IstiodCaErrorCode.ROOT_SECRET) && /ca-broken\/istio-ca-secret has no "ca-key.pem"/.test((e as Error).message),
    );
  });

  it('publishes the root ConfigMap in every namespace and restores it when deleted or edited', async () => {
    await createNamespace(core, 'early');
    const { ca } = await loadOrCreateRoot(core, { namespace: 'ca-race', trustDomain: 'cluster.local' });
    const root = ca.rootCertPem;
    publisher = createRootCertPublisher(kc, root, quiet);
    await publisher.start();
    const published = async (ns: string): Promise<void> => {
      const cm = await core.readNamespacedConfigMap({ namespace: ns, name: ROOT_CERT_CONFIGMAP });
      assert.equal(cm.data?.[ROOT_CERT_KEY], root);
    };
    for (const ns of ['default', 'early', 'ca-race']) await eventually(`root ConfigMap in ${ns}`, () => published(ns));
    await assert.rejects(core.readNamespacedConfigMap({ namespace: 'kube-system', name: ROOT_CERT_CONFIGMAP }), (e: { code?: number }) => e.code === 404);

    await createNamespace(core, 'late');
    await eventually('root ConfigMap in a new namespace', () => published('late'));

    await core.deleteNamespacedConfigMap({ namespace: 'late', name: ROOT_CERT_CONFIGMAP });
    await eventually('deleted root ConfigMap recreated', () => published('late'));

    const cm = await core.readNamespacedConfigMap({ namespace: 'early', name: ROOT_CERT_CONFIGMAP });
    await core.replaceNamespacedConfigMap({
      namespace: 'early',
      name: ROOT_CERT_CONFIGMAP,
      body: { ...cm, data: { [ROOT_CERT_KEY]: 'tampered', extra: 'kept' } },
    });
    await eventually('edited root ConfigMap restored', async () => {
      await published('early');
      const now = await core.readNamespacedConfigMap({ namespace: 'early', name: ROOT_CERT_CONFIGMAP });
      assert.equal(now.data?.['extra'], 'kept');
    });
  });
});
