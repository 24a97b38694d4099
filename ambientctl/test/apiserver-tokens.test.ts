// TokenRequest → TokenReview as istiod's CA uses it to authenticate ztunnel (kube-api.md (d)).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { startApiServer } from '../src/local/apiserver/index.ts';
import type { ApiServer } from '../src/local/apiserver/index.ts';
import { TokenIssuer } from '../src/local/apiserver/tokens.ts';
import { kubeConfigFor, raw } from './apiserver-helpers.ts';

describe('local apiserver service-account tokens', () => {
  let server: ApiServer;
  let dir: string;
  let core: CoreV1Api;
  let authn: AuthenticationV1Api;
  let podUid: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apiserver-tokens-'));
    server = await startApiServer({ port: 0, dataDir: dir });
    const kc = kubeConfigFor(server);
    core = kc.makeApiClient(CoreV1Api);
    authn = kc.makeApiClient(AuthenticationV1Api);
    await core.createNamespace({ body: { metadata: { name: 'app' } } });
    await core.createNamespacedServiceAccount({ namespace: 'app', body: { metadata: { name: 'ztunnel' } } });
    const pod = await core.createNamespacedPod({ namespace: 'app', body: { metadata: { name: 'p1' }, spec: { serviceAccountName: 'ztunnel', containers: [{ name: 'c', image: 'none' }] } } });
    podUid = pod.metadata?.uid ?? '';
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const review = async (token: string, audiences: string[]): Promise<Record<string, unknown>> => {
    const r = await authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } } });
    return r.status as Record<string, unknown>;
  };

  it('issues a pod-bound token that TokenReview accepts for its audience only', async () => {
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'ztunnel',
      namespace: 'app',
      body: { spec: { audiences: ['istio-ca'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p1', uid: podUid } } },
    });
    const token = tr.status?.token ?? '';
    assert.equal(token.split('.').length, 3);
    assert.ok(tr.status?.expirationTimestamp instanceof Date);
    assert.ok((tr.status?.expirationTimestamp?.getTime() ?? 0) > Date.now() + 3500_000);

    const ok = await review(token, ['istio-ca']);
    assert.equal(ok['authenticated'], true);
    const user = ok['user'] as { username: string; groups: string[]; extra: Record<string, string[]> };
    assert.equal(user.username, 'system:serviceaccount:app:ztunnel');
    assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:app', 'system:authenticated']);
    assert.deepEqual(user.extra['authentication.kubernetes.io/pod-name'], ['p1']);
    assert.deepEqual(user.extra['authentication.kubernetes.io/pod-uid'], [podUid]);
    assert.deepEqual(ok['audiences'], ['istio-ca']);

    const wrongAud = await review(token, ['other']);
    assert.equal(wrongAud['authenticated'], undefined);
    assert.match(String(wrongAud['error']), /invalid for the target audiences/);
  });

  it('rejects forged, tampered and expired tokens', async () => {
    const tr = await core.createNamespacedServiceAccountToken({ name: 'ztunnel', namespace: 'app', body: { spec: { audiences: ['istio-ca'] } } });
    const token = tr.status?.token ?? '';
    const [h, p, s] = token.split('.');
    // Tampered claims: another service account, original signature.
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    claims['sub'] = 'system:serviceaccount:kube-system:default';
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    // Forged: signed with a key the server never had.
    const forged = new TokenIssuer(TokenIssuer.generateKeyPem()).issue({ namespace: 'app', serviceAccount: { name: 'ztunnel', uid: 'x' }, audiences: ['istio-ca'], expirationSeconds: 3600 }).token;
    // Expired: signed with the server's own key (from its data directory), but two hours in the past.
    const own = new TokenIssuer(readFileSync(join(dir, 'pki', 'sa.key'), 'utf8'));
    const sa = await core.readNamespacedServiceAccount({ name: 'ztunnel', namespace: 'app' });
    const saRef = { name: 'ztunnel', uid: sa.metadata?.uid ?? '' };
    const expired = own.issue({ namespace: 'app', serviceAccount: saRef, audiences: ['istio-ca'], expirationSeconds: 600, now: new Date(Date.now() - 7200_000) }).token;
    const fresh = own.issue({ namespace: 'app', serviceAccount: saRef, audiences: ['istio-ca'], expirationSeconds: 600 }).token;

    for (const [name, t, why] of [['tampered', tampered, /signature/], ['forged', forged, /signature/], ['expired', expired, /expired/], ['garbage', 'not-a-jwt', /not a JWT/]] as const) {
      const st = await review(t, ['istio-ca']);
      assert.equal(st['authenticated'], undefined, name);
      assert.match(String(st['error']), why, name);
    }
    assert.equal((await review(fresh, ['istio-ca']))['authenticated'], true, 'the same key with a valid period is accepted');
  });

  it('stops accepting a token once its pod is gone, and refuses bad TokenRequests', async () => {
    await core.createNamespacedPod({ namespace: 'app', body: { metadata: { name: 'p2' }, spec: { containers: [{ name: 'c', image: 'none' }] } } });
    const tr = await core.createNamespacedServiceAccountToken({ name: 'ztunnel', namespace: 'app', body: { spec: { audiences: ['istio-ca'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p2' } } } });
    await core.deleteNamespacedPod({ name: 'p2', namespace: 'app' });
    const st = await review(tr.status?.token ?? '', ['istio-ca']);
    assert.equal(st['authenticated'], undefined);
    assert.match(String(st['error']), /p2/);

    const missingSa = await raw(server, 'POST', '/api/v1/namespaces/app/serviceaccounts/nobody/token', { body: '{"spec":{}}', contentType: 'application/json' });
    assert.equal(missingSa.status, 404);
    const short = await raw(server, 'POST', '/api/v1/namespaces/app/serviceaccounts/ztunnel/token', { body: '{"spec":{"expirationSeconds":60}}', contentType: 'application/json' });
    assert.equal(short.status, 422);
    assert.match(String(short.json()['message']), /expirationSeconds/);
  });

  it('authenticates API requests with a service-account token for the API audience', async () => {
    const tr = await core.createNamespacedServiceAccountToken({ name: 'ztunnel', namespace: 'app', body: { spec: { audiences: [] } } });
    const token = tr.status?.token ?? '';
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/app/pods', { token })).status, 200);
    const other = await core.createNamespacedServiceAccountToken({ name: 'ztunnel', namespace: 'app', body: { spec: { audiences: ['istio-ca'] } } });
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/app/pods', { token: other.status?.token ?? '' })).status, 401);
  });
});
