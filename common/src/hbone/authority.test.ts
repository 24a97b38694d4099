import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectAuthority, parseAuthority } from './authority.ts';
import { hasCode } from '../errors.ts';

const GOOD: [string, string, number, 0 | 4 | 6][] = [
  ['10.244.1.5:8080', '10.244.1.5', 8080, 4],
  ['[fd00::10]:80', 'fd00::10', 80, 6],
  ['echo.default.svc.cluster.local:80', 'echo.default.svc.cluster.local', 80, 0],
  ['127.0.0.1:65535', '127.0.0.1', 65535, 4],
];

for (const [input, host, port, family] of GOOD) {
  test(`authority ${input} parses`, () => {
    assert.deepEqual(parseAuthority(input), { host, port, family });
  });
}

const BAD: [string | undefined, RegExp][] = [
  [undefined, /no :authority/],
  ['', /no :authority/],
  ['10.0.0.1', /expected host:port/],
  ['10.0.0.1:', /port "" is not a number/],
  ['10.0.0.1:http', /is not a number/],
  ['10.0.0.1:0', /out of range/],
  ['10.0.0.1:70000', /out of range/],
  ['fd00::1:80', /must be in brackets/],
  ['[fd00::1]80', /expected \[ipv6\]:port/],
  ['[10.0.0.1]:80', /not an IPv6 address/],
  ['bad_host!:80', /not an IP or a hostname/],
];

for (const [input, why] of BAD) {
  test(`authority ${JSON.stringify(input)} is refused: ${why.source}`, () => {
    assert.throws(() => parseAuthority(input), (err: Error) => hasCode(err, 'ERR_HBONE_BAD_AUTHORITY') && why.test(err.message));
  });
}

test('connectAuthority: CONNECT with a target passes; another method or a bad target is refused by code', () => {
  assert.deepEqual(connectAuthority({ ':method': 'CONNECT', ':authority': '10.0.0.5:8080' }), parseAuthority('10.0.0.5:8080'));
  assert.throws(() => connectAuthority({ ':method': 'GET', ':authority': '10.0.0.5:8080' }), (err: Error & { code?: string }) => err.code === 'ERR_HBONE_BAD_METHOD' && /method GET is not CONNECT/.test(err.message));
  assert.throws(() => connectAuthority({ ':method': 'CONNECT' }), (err: Error & { code?: string }) => err.code === 'ERR_HBONE_BAD_AUTHORITY');
});
