import { status } from '@grpc/grpc-js';
import { errorMessage } from '@mesh/common/errors';
import { CaErrorCode, CsrError } from '@mesh/common/tls';
import { AuthError } from '../auth/index.ts';
import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';

/** How a CreateCertificate failure is answered, and whether it counts as an authentication failure. */
export interface CaFailure {
  readonly code: status;
  readonly details: string;
  readonly authnFailure: boolean;
}

/** Pure: the gRPC status for an error raised while serving CreateCertificate. */
export function caFailure(err: unknown): CaFailure {
  const details = errorMessage(err);
  if (err instanceof AuthError) return { code: status.UNAUTHENTICATED, details, authnFailure: true };
  if (err instanceof IstiodCaError) {
    if (err.code === IstiodCaErrorCode.IMPERSONATION_DENIED) return { code: status.UNAUTHENTICATED, details, authnFailure: true };
    if (err.code === IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY || err.code === IstiodCaErrorCode.BAD_TTL) {
      return { code: status.INVALID_ARGUMENT, details, authnFailure: false };
    }
  }
  if (err instanceof CsrError) return { code: status.INVALID_ARGUMENT, details: `invalid CSR: ${details}`, authnFailure: false };
  const code = (err as { code?: unknown } | null)?.code;
  if (code === CaErrorCode.IDENTITY_MISMATCH || code === CaErrorCode.INVALID_TTL) {
    return { code: status.INVALID_ARGUMENT, details, authnFailure: false };
  }
  // Anything else is ours or the API server's (pod lookups): the client should retry.
  return { code: status.UNAVAILABLE, details: `certificate not issued: ${details}`, authnFailure: false };
}
