import type { Metadata } from '@grpc/grpc-js';
import { AuthError, AuthErrorCode } from './auth-error.ts';

const BEARER = /^Bearer[ ]+(\S+)$/i;

/** The token of the one `authorization: Bearer <token>` metadata entry, or why there is none. */
export function bearerToken(metadata: Metadata): string {
  const values = metadata.get('authorization');
  if (values.length === 0) {
    throw new AuthError(AuthErrorCode.NO_TOKEN, 'no authorization metadata: expected "Bearer <service-account token>"');
  }
  if (values.length > 1) {
    throw new AuthError(AuthErrorCode.MALFORMED_HEADER, `expected one authorization metadata entry, got ${values.length}`);
  }
  const value = values[0];
  if (typeof value !== 'string') {
    throw new AuthError(AuthErrorCode.MALFORMED_HEADER, 'authorization metadata must be text, got binary');
  }
  const match = BEARER.exec(value.trim());
  if (!match?.[1]) {
    throw new AuthError(AuthErrorCode.MALFORMED_HEADER, 'authorization metadata is not of the form "Bearer <token>"');
  }
  return match[1];
}

/**
 * The `exp` claim of a JWT, in ms since the epoch, read WITHOUT verifying anything (the API server verifies);
 * only used to never cache a review beyond the token's own lifetime. Undefined when there is none.
 */
export function unverifiedExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (claims !== null && typeof claims === 'object' && 'exp' in claims && typeof claims.exp === 'number') {
      return claims.exp * 1000;
    }
  } catch {
    // Not a JWT we can read: the review decides; we just do not know the expiry.
  }
  return undefined;
}
