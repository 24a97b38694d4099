import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import type { V1TokenReviewStatus } from '@kubernetes/client-node';
import { hasCode } from '@mesh/common/errors';
import { AuthErrorCode } from './auth-error.ts';
import { authenticatorFromReviewer, type TokenReviewer } from './token-authenticator.ts';

function md(...values: string[]): Metadata {
  const m = new Metadata();
  for (const v of values) m.add('authorization', v);
  return m;
}

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part(claims)}.sig`;
}

const OK: V1TokenReviewStatus = {
  authenticated: true,
  audiences: ['istio-ca'],
  user: {
    username: 'system:serviceaccount:istio-system:ztunnel',
    extra: {
      'authentication.kubernetes.io/pod-name': ['ztunnel-node-1'],
      'authentication.kubernetes.io/pod-uid': ['uid-1'],
    },
  },
};

function counting(status: V1TokenReviewStatus | Error): { review: TokenReviewer; calls: { token: string; audiences: readonly string[] }[] } {
  const calls: { token: string; audiences: readonly string[] }[] = [];
  const review: TokenReviewer = async (token, audiences) => {
    calls.push({ token, audiences });
    if (status instanceof Error) throw status;
    return status;
  };
  return { review, calls };
}

async function refusal(p: Promise<unknown>, code: string): Promise<string> {
  const err = await p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(hasCode(err, code), `expected ${code}, got ${String(err)}`);
  return (err as Error).message;
}

describe('token authenticator', () => {
  it('returns the service account and bound pod of a reviewed token, asking for our audiences', async () => {
    const { review, calls } = counting(OK);
    const auth = authenticatorFromReviewer(review, { audiences: ['istio-ca'] });
    const caller = await auth(md('Bearer tok-1'));
    assert.deepEqual(caller, {
      namespace: 'istio-system',
      serviceAccount: 'ztunnel',
      username: 'system:serviceaccount:istio-system:ztunnel',
      podName: 'ztunnel-node-1',
      podUid: 'uid-1',
    });
    assert.deepEqual(calls, [{ token: 'tok-1', audiences: ['istio-ca'] }]);
  });

  it('caches successes for the TTL, keyed by token, and never past the token expiry', async () => {
    let now = 1_000_000;
    const { review, calls } = counting(OK);
    const auth = authenticatorFromReviewer(review, { audiences: ['istio-ca'], cacheTtlMs: 60_000, now: () => now });
    await auth(md('Bearer a'));
    await auth(md('Bearer a'));
    assert.equal(calls.length, 1);
    await auth(md('Bearer b'));
    assert.equal(calls.length, 2);
    now += 60_001;
    await auth(md('Bearer a'));
    assert.equal(calls.length, 3);
    const short = jwt({ exp: Math.floor(now / 1000) + 5 });
    await auth(md(`Bearer ${short}`));
    now += 6_000;
    await auth(md(`Bearer ${short}`));
    assert.equal(calls.length, 5, 'a token expiring in 5 s is reviewed again after 6 s');
  });

  it('does not cache refusals', async () => {
    const { review, calls } = counting({ authenticated: false, error: 'token expired' });
    const auth = authenticatorFromReviewer(review, { audiences: ['istio-ca'] });
    await refusal(auth(md('Bearer x')), AuthErrorCode.NOT_AUTHENTICATED);
    await refusal(auth(md('Bearer x')), AuthErrorCode.NOT_AUTHENTICATED);
    assert.equal(calls.length, 2);
  });

  it('refuses missing, duplicated and malformed authorization metadata without a review', async () => {
    const { review, calls } = counting(OK);
    const auth = authenticatorFromReviewer(review, { audiences: ['istio-ca'] });
    assert.match(await refusal(auth(new Metadata()), AuthErrorCode.NO_TOKEN), /authorization/);
    await refusal(auth(md('Bearer a', 'Bearer b')), AuthErrorCode.MALFORMED_HEADER);
    await refusal(auth(md('Basic dXNlcjpwdw==')), AuthErrorCode.MALFORMED_HEADER);
    await refusal(auth(md('Bearer')), AuthErrorCode.MALFORMED_HEADER);
    assert.equal(calls.length, 0);
  });

  it('names a wrong audience, a failed review and a non-service-account user', async () => {
    const wrongAud = authenticatorFromReviewer(counting({
      authenticated: false,
      error: '[invalid bearer token, token audiences ["api"] is invalid for the target audiences ["istio-ca"]]',
    }).review, { audiences: ['istio-ca'] });
    await refusal(wrongAud(md('Bearer t')), AuthErrorCode.WRONG_AUDIENCE);
    const otherAud = authenticatorFromReviewer(counting({ ...OK, audiences: ['api'] }).review, { audiences: ['istio-ca'] });
    await refusal(otherAud(md('Bearer t')), AuthErrorCode.WRONG_AUDIENCE);
    const failing = authenticatorFromReviewer(counting(new Error('connect ECONNREFUSED')).review, { audiences: ['istio-ca'] });
    assert.match(await refusal(failing(md('Bearer t')), AuthErrorCode.REVIEW_FAILED), /ECONNREFUSED/);
    const user = authenticatorFromReviewer(counting({ authenticated: true, user: { username: 'admin' } }).review, {
      audiences: ['istio-ca'],
    });
    assert.match(await refusal(user(md('Bearer t')), AuthErrorCode.NOT_SERVICE_ACCOUNT), /"admin"/);
  });
});
