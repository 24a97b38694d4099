import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '@mesh/common/errors';
import type { Caller } from '../auth/index.ts';
import { IstiodCaErrorCode } from './ca-errors.ts';
import { authoriseIdentity, type PodFacts, type PodLookup } from './impersonation.ts';
import { parseTrustedNodeAccounts } from './trusted-accounts.ts';

const ZTUNNEL: Caller = {
  namespace: 'istio-system',
  serviceAccount: 'ztunnel',
  username: 'system:serviceaccount:istio-system:ztunnel',
  podName: 'ztunnel-node-1',
  podUid: 'zt-uid',
};
const TRUSTED = parseTrustedNodeAccounts(['istio-system/ztunnel']);
const APP = 'spiffe://cluster.local/ns/default/sa/app';

const PODS: PodFacts[] = [
  { namespace: 'istio-system', name: 'ztunnel-node-1', uid: 'zt-uid', serviceAccount: 'ztunnel', nodeName: 'node-1', phase: 'Running' },
  { namespace: 'default', name: 'app-1', uid: 'a1', serviceAccount: 'app', nodeName: 'node-1', phase: 'Running' },
  { namespace: 'default', name: 'other-2', uid: 'o2', serviceAccount: 'other', nodeName: 'node-2', phase: 'Running' },
  { namespace: 'default', name: 'done-1', uid: 'd1', serviceAccount: 'done', nodeName: 'node-1', phase: 'Succeeded' },
];

function lookup(pods: readonly PodFacts[]): PodLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async pod(namespace, name) {
      calls.push(`pod ${namespace}/${name}`);
      return pods.find((p) => p.namespace === namespace && p.name === name);
    },
    async podsOnNode(nodeName, namespace) {
      calls.push(`node ${nodeName} ${namespace}`);
      return pods.filter((p) => p.nodeName === nodeName && p.namespace === namespace);
    },
  };
}

async function refused(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e) => hasCode(e, code) && message.test((e as Error).message));
}

describe('authoriseIdentity', () => {
  it('gives a caller without impersonation its own identity, without reading pods', async () => {
    const pods = lookup(PODS);
    const id = await authoriseIdentity({ caller: { ...ZTUNNEL, namespace: 'default', serviceAccount: 'app' }, trustDomain: 'cluster.local', trustedNodeAccounts: TRUSTED, pods });
    assert.equal(id.toString(), APP);
    assert.deepEqual(pods.calls, []);
  });

  it('lets a trusted node agent impersonate a pod on its own node', async () => {
    const pods = lookup(PODS);
    const id = await authoriseIdentity({ caller: ZTUNNEL, impersonated: APP, trustDomain: 'cluster.local', trustedNodeAccounts: TRUSTED, pods });
    assert.equal(id.toString(), APP);
    assert.deepEqual(pods.calls, ['pod istio-system/ztunnel-node-1', 'node node-1 default']);
  });

  it('refuses an identity that only runs on another node, or only in finished pods', async () => {
    const input = { caller: ZTUNNEL, trustDomain: 'cluster.local', trustedNodeAccounts: TRUSTED, pods: lookup(PODS) };
    await refused(authoriseIdentity({ ...input, impersonated: 'spiffe://cluster.local/ns/default/sa/other' }), IstiodCaErrorCode.IMPERSONATION_DENIED, /no pod with service account default\/other runs on node node-1/);
    await refused(authoriseIdentity({ ...input, impersonated: 'spiffe://cluster.local/ns/default/sa/done' }), IstiodCaErrorCode.IMPERSONATION_DENIED, /default\/done/);
  });

  it('refuses untrusted accounts and tokens not bound to the live caller pod', async () => {
    const base = { impersonated: APP, trustDomain: 'cluster.local', trustedNodeAccounts: TRUSTED, pods: lookup(PODS) };
    await refused(authoriseIdentity({ ...base, caller: { ...ZTUNNEL, serviceAccount: 'app', namespace: 'default' } }), IstiodCaErrorCode.IMPERSONATION_DENIED, /not a trusted node account/);
    const { podName: _n, podUid: _u, ...unbound } = ZTUNNEL;
    await refused(authoriseIdentity({ ...base, caller: unbound }), IstiodCaErrorCode.IMPERSONATION_DENIED, /not bound to a pod/);
    await refused(authoriseIdentity({ ...base, caller: { ...ZTUNNEL, podUid: 'old-uid' } }), IstiodCaErrorCode.IMPERSONATION_DENIED, /uid zt-uid, the token is bound to old-uid/);
    await refused(authoriseIdentity({ ...base, caller: { ...ZTUNNEL, podName: 'gone' } }), IstiodCaErrorCode.IMPERSONATION_DENIED, /does not exist/);
    const unscheduled = PODS.map((p) => (p.name === 'ztunnel-node-1' ? { ...p, nodeName: undefined } as unknown as PodFacts : p));
    await refused(authoriseIdentity({ ...base, caller: ZTUNNEL, pods: lookup(unscheduled) }), IstiodCaErrorCode.IMPERSONATION_DENIED, /not scheduled/);
    const otherSa = PODS.map((p) => (p.name === 'ztunnel-node-1' ? { ...p, serviceAccount: 'default' } : p));
    await refused(authoriseIdentity({ ...base, caller: ZTUNNEL, pods: lookup(otherSa) }), IstiodCaErrorCode.IMPERSONATION_DENIED, /runs as service account default/);
  });

  it('refuses malformed and foreign-trust-domain impersonated identities', async () => {
    const base = { caller: ZTUNNEL, trustDomain: 'cluster.local', trustedNodeAccounts: TRUSTED, pods: lookup(PODS) };
    await refused(authoriseIdentity({ ...base, impersonated: 'spiffe://cluster.local/ns/default' }), IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY, /not a valid SPIFFE ID/);
    await refused(authoriseIdentity({ ...base, impersonated: 'spiffe://other.td/ns/default/sa/app' }), IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY, /trust domain "cluster.local"/);
  });

  it('parses trusted node accounts and names a bad entry', () => {
    assert.deepEqual(parseTrustedNodeAccounts(['a/b', ' c/d ']), [{ namespace: 'a', serviceAccount: 'b' }, { namespace: 'c', serviceAccount: 'd' }]);
    assert.throws(() => parseTrustedNodeAccounts(['ztunnel']), (e) => hasCode(e, IstiodCaErrorCode.BAD_TRUSTED_ACCOUNT) && /"ztunnel"/.test((e as Error).message));
  });
});
