import { MeshError } from '@mesh/common/errors';

/** Stable codes for why istiod's CA refused a request or could not start. */
export const IstiodCaErrorCode = {
  /** The caller asked to impersonate an identity and is not allowed to (see the message for which check failed). */
  IMPERSONATION_DENIED: 'ERR_ISTIOD_CA_IMPERSONATION_DENIED',
  /** The request's `ImpersonatedIdentity` is not a SPIFFE ID of our trust domain. */
  BAD_IMPERSONATED_IDENTITY: 'ERR_ISTIOD_CA_BAD_IMPERSONATED_IDENTITY',
  /** `validity_duration` is not a usable number of seconds. */
  BAD_TTL: 'ERR_ISTIOD_CA_BAD_TTL',
  /** The `istio-ca-secret` Secret exists but cannot be used, or cannot be read or created. */
  ROOT_SECRET: 'ERR_ISTIOD_CA_ROOT_SECRET',
  /** A node-account entry in CA_TRUSTED_NODE_ACCOUNTS is not `<namespace>/<service account>`. */
  BAD_TRUSTED_ACCOUNT: 'ERR_ISTIOD_CA_BAD_TRUSTED_ACCOUNT',
} as const;
export type IstiodCaErrorCode = (typeof IstiodCaErrorCode)[keyof typeof IstiodCaErrorCode];

export class IstiodCaError extends MeshError<IstiodCaErrorCode> {}
