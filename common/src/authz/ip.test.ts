import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, formatIp, makeCidr, parseIp, parseIpBlock } from './ip.ts';

const cases = [
  { text: '1.2.3.4', hex: '01020304' },
  { text: '::', hex: '0'.repeat(32) },
  { text: '::1', hex: `${'0'.repeat(31)}1` },
  { text: 'fd00::1:2', hex: 'fd000000000000000000000000010002' },
  { text: '2001:db8:0:0:1:0:0:1', hex: '20010db8000000000001000000000001' },
  { text: '::ffff:10.1.2.3', hex: '00000000000000000000ffff0a010203' },
  { text: '1::', hex: `0001${'0'.repeat(28)}` },
];
for (const c of cases) {
  test(`parseIp ${c.text}`, () => assert.equal(Buffer.from(parseIp(c.text) ?? []).toString('hex'), c.hex));
}

test('parseIp refuses non-addresses and zones', () => {
  for (const bad of ['', '1.2.3', '1.2.3.256', 'fe80::1%eth0', 'x', '1:2:3:4:5:6:7:8:9']) assert.equal(parseIp(bad), null, bad);
});

test('formatIp round-trips', () => {
  assert.equal(formatIp(parseIp('10.0.0.1') ?? new Uint8Array()), '10.0.0.1');
  assert.equal(formatIp(parseIp('fd00::1') ?? new Uint8Array()), 'fd00:0:0:0:0:0:0:1');
});

test('parseIpBlock', () => {
  assert.deepEqual(parseIpBlock('10.0.0.0/8')?.length, 8);
  assert.deepEqual(parseIpBlock('10.0.0.1')?.length, 32);
  assert.deepEqual(parseIpBlock('::/0')?.length, 0);
  for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '/8', 'fd00::/129']) assert.equal(parseIpBlock(bad), null, bad);
});

test('cidrContains masks and respects the family', () => {
  const net = makeCidr(parseIp('192.168.10.77') ?? new Uint8Array(), 20);
  assert.ok(net);
  assert.equal(cidrContains(net, parseIp('192.168.15.1') ?? new Uint8Array()), true);
  assert.equal(cidrContains(net, parseIp('192.168.16.1') ?? new Uint8Array()), false);
  assert.equal(cidrContains(net, parseIp('::ffff:192.168.15.1') ?? new Uint8Array()), false);
  assert.equal(makeCidr(new Uint8Array(4), 33), null);
});
