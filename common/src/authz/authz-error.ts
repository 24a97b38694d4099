import { MeshError } from '../errors.ts';

/** Stable codes for policy errors. */
export const AuthzErrorCode = {
  /** A policy (Kubernetes object or xDS Authorization) is malformed; the message names the policy and field. */
  INVALID_POLICY: 'ERR_AUTHZ_INVALID_POLICY',
  /** A connection handed to the evaluator is malformed (bad IP, port out of range). */
  INVALID_CONNECTION: 'ERR_AUTHZ_INVALID_CONNECTION',
} as const;

/** One of the values of {@link AuthzErrorCode}. */
export type AuthzErrorCode = (typeof AuthzErrorCode)[keyof typeof AuthzErrorCode];

/** Raised by policy conversion, compilation and evaluation when their input is malformed. */
export class AuthzError extends MeshError<AuthzErrorCode> {}

/** Shorthand for the common case: a bad policy, named by `where`, with a message about one field. */
export function invalidPolicy(where: string, message: string): never {
  throw new AuthzError(AuthzErrorCode.INVALID_POLICY, `${where}: ${message}`);
}
