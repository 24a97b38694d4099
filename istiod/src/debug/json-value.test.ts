import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJsonValue } from './json-value.ts';

test('toJsonValue shows address bytes as IPs, other bytes as base64, maps as objects', () => {
  const v6 = Buffer.from('20010db8000000000000000000000001', 'hex');
  assert.deepEqual(
    toJsonValue({ a: [Buffer.from([10, 244, 0, 5]), v6], b: new Uint8Array([1, 2]), m: new Map([['k', { n: 1 }]]), s: 'x', z: null }),
    { a: ['10.244.0.5', '2001:db8:0:0:0:0:0:1'], b: 'AQI=', m: { k: { n: 1 } }, s: 'x', z: null },
  );
});
