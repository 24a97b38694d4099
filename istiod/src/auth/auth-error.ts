import { MeshError } from '@mesh/common/errors';

/** Stable codes for why a caller's service-account token was refused. */
export const AuthErrorCode = {
  /** No `authorization` metadata at all. */
  NO_TOKEN: 'ERR_AUTH_NO_TOKEN',
  /** `authorization` is present but not a single `Bearer <token>` value. */
  MALFORMED_HEADER: 'ERR_AUTH_MALFORMED_HEADER',
  /** The TokenReview call itself failed (API server unreachable, refused the review, bad response). */
  REVIEW_FAILED: 'ERR_AUTH_REVIEW_FAILED',
  /** The API server says the token is not valid (bad signature, expired, bound object deleted, …). */
  NOT_AUTHENTICATED: 'ERR_AUTH_NOT_AUTHENTICATED',
  /** The token is valid but not for any of the audiences we accept. */
  WRONG_AUDIENCE: 'ERR_AUTH_WRONG_AUDIENCE',
  /** The token is valid but its user is not a service account (`system:serviceaccount:<ns>:<sa>`). */
  NOT_SERVICE_ACCOUNT: 'ERR_AUTH_NOT_SERVICE_ACCOUNT',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** A refused caller. Servers answer it with gRPC UNAUTHENTICATED and the message. */
export class AuthError extends MeshError<AuthErrorCode> {}
