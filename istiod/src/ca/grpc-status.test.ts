import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { CaError, CaErrorCode, CsrError, CsrErrorCode } from '@mesh/common/tls';
import { AuthError, AuthErrorCode } from '../auth/index.ts';
import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';
import { caFailure } from './grpc-status.ts';

describe('caFailure', () => {
  it('answers authentication and impersonation refusals with UNAUTHENTICATED and counts them', () => {
    for (const err of [
      new AuthError(AuthErrorCode.NO_TOKEN, 'no token'),
      new IstiodCaError(IstiodCaErrorCode.IMPERSONATION_DENIED, 'not on node'),
    ]) {
      assert.deepEqual(caFailure(err), { code: status.UNAUTHENTICATED, details: err.message, authnFailure: true });
    }
  });

  it('answers bad requests with INVALID_ARGUMENT naming the problem', () => {
    assert.deepEqual(caFailure(new CsrError(CsrErrorCode.NO_SAN, 'no URI SAN')), {
      code: status.INVALID_ARGUMENT,
      details: 'invalid CSR: no URI SAN',
      authnFailure: false,
    });
    for (const err of [
      new CaError(CaErrorCode.IDENTITY_MISMATCH, 'CSR asks for x'),
      new IstiodCaError(IstiodCaErrorCode.BAD_TTL, 'bad ttl'),
      new IstiodCaError(IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY, 'bad id'),
    ]) {
      assert.equal(caFailure(err).code, status.INVALID_ARGUMENT, err.message);
    }
  });

  it('answers anything else (API server down) with UNAVAILABLE so clients retry', () => {
    const f = caFailure(new Error('connect ECONNREFUSED'));
    assert.equal(f.code, status.UNAVAILABLE);
    assert.match(f.details, /ECONNREFUSED/);
  });
});
