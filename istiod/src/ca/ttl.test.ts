import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '@mesh/common/errors';
import { IstiodCaErrorCode } from './ca-errors.ts';
import { grantedTtlSeconds } from './ttl.ts';

const POLICY = { defaultTtlSeconds: 86_400, maxTtlSeconds: 7_776_000 };

describe('grantedTtlSeconds', () => {
  it('grants the request when within the maximum', () => {
    assert.equal(grantedTtlSeconds('3600', POLICY), 3600);
    assert.equal(grantedTtlSeconds(7_776_000, POLICY), 7_776_000);
  });
  it('uses the default for absent, zero and negative durations', () => {
    for (const v of [undefined, null, '', '0', 0, '-5']) assert.equal(grantedTtlSeconds(v, POLICY), 86_400, String(v));
  });
  it('caps at the maximum', () => {
    assert.equal(grantedTtlSeconds('9999999999', POLICY), 7_776_000);
    assert.equal(grantedTtlSeconds('0', { defaultTtlSeconds: 100, maxTtlSeconds: 50 }), 50);
  });
  it('refuses a non-integer duration, naming it', () => {
    assert.throws(() => grantedTtlSeconds('1.5', POLICY), (e) => hasCode(e, IstiodCaErrorCode.BAD_TTL) && /"1\.5"/.test((e as Error).message));
  });
});
