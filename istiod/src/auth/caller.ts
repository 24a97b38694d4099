import { AuthError, AuthErrorCode } from './auth-error.ts';

/** Who a valid service-account token stands for. */
export interface Caller {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The pod the token is bound to (TokenRequest with a Pod boundObjectRef), if any. */
  readonly podName?: string;
  readonly podUid?: string;
  /** The node of the bound pod, when the API server reports it (Kubernetes ≥ 1.30 does). */
  readonly nodeName?: string;
  /** `system:serviceaccount:<ns>:<sa>` */
  readonly username: string;
}

/** The parts of a TokenReview status we use. */
export interface ReviewedUser {
  readonly username?: string;
  readonly extra?: Record<string, readonly string[] | undefined>;
}

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA = 'authentication.kubernetes.io/';

/** Builds the caller from an authenticated TokenReview user; refuses users that are not service accounts. */
export function callerFromUser(user: ReviewedUser): Caller {
  const username = user.username ?? '';
  const parts = username.startsWith(SA_PREFIX) ? username.slice(SA_PREFIX.length).split(':') : [];
  const [namespace, serviceAccount] = parts;
  if (parts.length !== 2 || !namespace || !serviceAccount) {
    throw new AuthError(
      AuthErrorCode.NOT_SERVICE_ACCOUNT,
      `token user "${username}" is not a service account (expected ${SA_PREFIX}<namespace>:<name>)`,
    );
  }
  const extra = (key: string): string | undefined => {
    const v = user.extra?.[EXTRA + key]?.[0];
    return v === undefined || v === '' ? undefined : v;
  };
  const podName = extra('pod-name');
  const podUid = extra('pod-uid');
  const nodeName = extra('node-name');
  return {
    namespace,
    serviceAccount,
    username,
    ...(podName !== undefined ? { podName } : {}),
    ...(podUid !== undefined ? { podUid } : {}),
    ...(nodeName !== undefined ? { nodeName } : {}),
  };
}
