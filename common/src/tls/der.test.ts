import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  derBitString,
  derContextConstructed,
  derContextPrimitive,
  derLength,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  ia5Bytes,
} from './der.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('derLength uses the short form below 128 and the long form from 128', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65535, '82ffff'],
    [65536, '83010000'],
  ];
  for (const [length, expected] of cases) assert.equal(hex(derLength(length)), expected, `length ${length}`);
  assert.throws(() => derLength(-1), RangeError);
  assert.throws(() => derLength(1.5), RangeError);
});

test('a TLV of 128 or 256 content bytes carries the long-form length', () => {
  const of128 = derOctetString(new Uint8Array(128));
  assert.equal(hex(of128.subarray(0, 3)), '048180');
  assert.equal(of128.length, 3 + 128);
  const of256 = derSequence(new Uint8Array(256));
  assert.equal(hex(of256.subarray(0, 4)), '30820100');
  assert.equal(of256.length, 4 + 256);
  const of127 = derOctetString(new Uint8Array(127));
  assert.equal(hex(of127.subarray(0, 2)), '047f');
});

test('derOid encodes the first two arcs together and later arcs in base 128', () => {
  const cases: [string, string][] = [
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'], // ecdsa-with-SHA256
    ['1.2.840.113549.1.9.14', '06092a864886f70d01090e'], // extensionRequest
    ['2.5.29.17', '0603551d11'], // subjectAltName
    ['1.2.840.10045.2.1', '06072a8648ce3d0201'], // id-ecPublicKey
    ['2.999.3', '0603883703'], // first arc 2 lets the second exceed 39
  ];
  for (const [oid, expected] of cases) assert.equal(hex(derOid(oid)), expected, oid);
  for (const bad of ['', '1', '1.x', '3.1', '1.40', '1.02', '1..2']) {
    assert.throws(() => derOid(bad), { name: 'RangeError', message: /not a valid OID/ }, bad);
  }
});

test('derSmallInteger writes minimal two’s complement for non-negative values', () => {
  const cases: [number, string][] = [
    [0, '020100'],
    [1, '020101'],
    [127, '02017f'],
    [128, '02020080'],
    [256, '02020100'],
  ];
  for (const [value, expected] of cases) assert.equal(hex(derSmallInteger(value)), expected, `value ${value}`);
  assert.throws(() => derSmallInteger(-1), RangeError);
});

test('strings, sets and context tags', () => {
  assert.equal(hex(derBitString(Uint8Array.of(0xab))), '030200ab');
  assert.equal(hex(derSequence()), '3000');
  assert.equal(hex(derSet(derSmallInteger(0))), '3103020100');
  assert.throws(() => derSet(derSmallInteger(0), derSmallInteger(1)), RangeError);
  assert.equal(hex(derContextConstructed(0, derSequence())), 'a0023000');
  assert.equal(hex(derContextPrimitive(6, ia5Bytes('a:b'))), '8603613a62');
  assert.throws(() => ia5Bytes('é'), /IA5String must be ASCII/);
  assert.throws(() => derContextPrimitive(31, new Uint8Array()), RangeError);
});
