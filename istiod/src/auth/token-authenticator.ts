import type { Metadata } from '@grpc/grpc-js';
import { AuthenticationV1Api, type KubeConfig, type V1TokenReviewStatus } from '@kubernetes/client-node';
import { errorMessage } from '@mesh/common/errors';
import { AuthError, AuthErrorCode } from './auth-error.ts';
import { bearerToken, unverifiedExpiryMs } from './bearer-token.ts';
import { callerFromUser, type Caller } from './caller.ts';
import { ReviewCache } from './review-cache.ts';

/** Authenticates one gRPC call from its metadata; rejects with an {@link AuthError}. */
export type TokenAuthenticator = (metadata: Metadata) => Promise<Caller>;

/** Asks the API server about a token: the TokenReview status. */
export type TokenReviewer = (token: string, audiences: readonly string[]) => Promise<V1TokenReviewStatus>;

export interface TokenAuthenticatorOptions {
  /** Audiences the token must be valid for (one of them). Istio's CA uses `istio-ca`. */
  readonly audiences: readonly string[];
  /** How long a successful review is reused. Default 60 s; 0 disables the cache. */
  readonly cacheTtlMs?: number;
  /** Clock for the cache, ms. Tests inject one. */
  readonly now?: () => number;
}

const DEFAULT_CACHE_TTL_MS = 60_000;

/** Authenticates callers by their `authorization: Bearer <service-account JWT>` through TokenReview. */
export function createTokenAuthenticator(kc: KubeConfig, options: TokenAuthenticatorOptions): TokenAuthenticator {
  return authenticatorFromReviewer(kubeTokenReviewer(kc), options);
}

/** TokenReview through client-node. */
export function kubeTokenReviewer(kc: KubeConfig): TokenReviewer {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token, audiences) => {
    const review = await api.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [...audiences] } },
    });
    return review.status ?? {};
  };
}

/** The authenticator over any reviewer (tests pass a fake one). */
export function authenticatorFromReviewer(review: TokenReviewer, options: TokenAuthenticatorOptions): TokenAuthenticator {
  if (options.audiences.length === 0) throw new Error('token authenticator needs at least one audience');
  const audiences = [...options.audiences];
  const cache = new ReviewCache(options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS, options.now);
  return async (metadata) => {
    const token = bearerToken(metadata);
    const cached = cache.get(token);
    if (cached) return cached;
    let status: V1TokenReviewStatus;
    try {
      status = await review(token, audiences);
    } catch (err) {
      throw new AuthError(AuthErrorCode.REVIEW_FAILED, `TokenReview failed: ${reviewFailure(err)}`, { cause: err });
    }
    const caller = callerFromStatus(status, audiences);
    cache.set(token, caller, unverifiedExpiryMs(token));
    return caller;
  };
}

/** Pure: the caller from a TokenReview status, or why it is refused. */
export function callerFromStatus(status: V1TokenReviewStatus, audiences: readonly string[]): Caller {
  if (status.authenticated !== true) {
    const why = status.error ?? 'no reason given';
    // Kubernetes reports an audience mismatch only as this error text ("token audiences ... is invalid ...").
    const code = /audience/i.test(why) ? AuthErrorCode.WRONG_AUDIENCE : AuthErrorCode.NOT_AUTHENTICATED;
    throw new AuthError(code, `token not authenticated: ${why}`);
  }
  // An API server that ignores spec.audiences would answer with its own; only accept ours.
  if (status.audiences && status.audiences.length > 0 && !status.audiences.some((a) => audiences.includes(a))) {
    throw new AuthError(
      AuthErrorCode.WRONG_AUDIENCE,
      `token audiences ${JSON.stringify(status.audiences)} include none of ${JSON.stringify(audiences)}`,
    );
  }
  return callerFromUser(status.user ?? {});
}

function reviewFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? `HTTP ${code}: ${errorMessage(err)}` : errorMessage(err);
}
