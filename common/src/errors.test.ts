import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshError, hasCode, errorMessage } from './errors.ts';

test('MeshError carries a stable code, its subclass name and its cause', () => {
  class ThingError extends MeshError {}
  const cause = new Error('inner');
  const err = new ThingError('ERR_THING_BROKEN', 'the thing broke', { cause });
  assert.equal(err.code, 'ERR_THING_BROKEN');
  assert.equal(err.name, 'ThingError');
  assert.equal(err.cause, cause);
  assert.ok(hasCode(err, 'ERR_THING_BROKEN'));
  assert.ok(!hasCode(err, 'ERR_OTHER'));
  assert.ok(!hasCode(new Error('x'), 'ERR_THING_BROKEN'));
  assert.equal(errorMessage(err), 'the thing broke');
  assert.equal(errorMessage('plain'), 'plain');
});
