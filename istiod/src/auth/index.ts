export { AuthError, AuthErrorCode } from './auth-error.ts';
export { bearerToken } from './bearer-token.ts';
export { callerFromUser } from './caller.ts';
export type { Caller, ReviewedUser } from './caller.ts';
export {
  authenticatorFromReviewer,
  callerFromStatus,
  createTokenAuthenticator,
  kubeTokenReviewer,
} from './token-authenticator.ts';
export type { TokenAuthenticator, TokenAuthenticatorOptions, TokenReviewer } from './token-authenticator.ts';
export { unauthenticated } from './grpc-status.ts';
