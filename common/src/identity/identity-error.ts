import { MeshError } from '../errors.ts';

/** Stable codes for identity errors. */
export const IdentityErrorCode = {
  /** A string is not a valid `spiffe://<td>/ns/<ns>/sa/<sa>` URI or `<td>/ns/<ns>/sa/<sa>` principal. */
  INVALID_SPIFFE_ID: 'ERR_IDENTITY_INVALID_SPIFFE_ID',
} as const;

/** One of the values of {@link IdentityErrorCode}. */
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

/** Raised when a workload identity cannot be parsed or built. */
export class IdentityError extends MeshError<IdentityErrorCode> {}
