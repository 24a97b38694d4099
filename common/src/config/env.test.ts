import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envString, envInt, envBool, envDuration, envAddress, envList, formatAddress } from './env.ts';
import type { Env, IntBounds } from './env.ts';
import { ConfigError } from './config-error.ts';

interface Case<T> {
  name: string;
  value: string | undefined;
  want?: T;
  /** A fragment the error message must contain; set for invalid values. */
  err?: string;
}

function run<T>(title: string, read: (env: Env) => T, cases: Case<T>[]): void {
  for (const c of cases) {
    test(`${title}: ${c.name}`, () => {
      const env: Env = { X: c.value };
      if (c.err === undefined) {
        assert.deepEqual(read(env), c.want);
        return;
      }
      assert.throws(
        () => read(env),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.equal(e.code, 'ERR_CONFIG_INVALID');
          assert.match(e.message, /^X=/, 'names the variable');
          assert.ok(e.message.includes(JSON.stringify(c.value?.trim())), `names the bad value: ${e.message}`);
          assert.ok(e.message.includes(c.err!), `mentions "${c.err}": ${e.message}`);
          return true;
        },
      );
    });
  }
}

run('envString', (e) => envString(e, 'X', 'def'), [
  { name: 'unset gives the default', value: undefined, want: 'def' },
  { name: 'explicit empty is kept', value: '', want: '' },
  { name: 'value is returned', value: 'istiod:15012', want: 'istiod:15012' },
]);

const bounds: IntBounds = { min: 1, max: 10 };
run('envInt', (e) => envInt(e, 'X', 5, bounds), [
  { name: 'unset gives the default', value: undefined, want: 5 },
  { name: 'blank gives the default', value: '  ', want: 5 },
  { name: 'in range', value: '7', want: 7 },
  { name: 'bounds are inclusive (min)', value: '1', want: 1 },
  { name: 'bounds are inclusive (max)', value: '10', want: 10 },
  { name: 'below min', value: '0', err: '>= 1' },
  { name: 'above max', value: '11', err: '<= 10' },
  { name: 'not a number', value: 'ten', err: 'integer' },
  { name: 'fraction', value: '1.5', err: 'integer' },
  { name: 'trailing garbage', value: '3x', err: 'integer' },
]);

run('envBool', (e) => envBool(e, 'X', false), [
  { name: 'unset gives the default', value: undefined, want: false },
  { name: 'true', value: 'true', want: true },
  { name: 'TRUE (case-insensitive)', value: 'TRUE', want: true },
  { name: '1', value: '1', want: true },
  { name: 'false', value: 'false', want: false },
  { name: '0', value: '0', want: false },
  { name: 'yes is refused', value: 'yes', err: 'true, false, 1, 0' },
  { name: 'typo is refused', value: 'ture', err: 'true, false, 1, 0' },
]);

run('envDuration', (e) => envDuration(e, 'X', 1234), [
  { name: 'unset gives the default', value: undefined, want: 1234 },
  { name: 'milliseconds', value: '500ms', want: 500 },
  { name: 'seconds', value: '10s', want: 10_000 },
  { name: 'minutes', value: '5m', want: 300_000 },
  { name: 'hours', value: '1h', want: 3_600_000 },
  { name: 'fractional seconds', value: '1.5s', want: 1500 },
  { name: 'plain number is seconds', value: '30', want: 30_000 },
  { name: 'unknown unit', value: '10d', err: 'duration' },
  { name: 'negative', value: '-1s', err: 'duration' },
  { name: 'words', value: 'soon', err: 'duration' },
]);

run('envAddress', (e) => envAddress(e, 'X', { host: '127.0.0.1', port: 15000 }), [
  { name: 'unset gives the default', value: undefined, want: { host: '127.0.0.1', port: 15000 } },
  { name: 'ipv4', value: '10.0.0.1:15012', want: { host: '10.0.0.1', port: 15012 } },
  { name: 'hostname', value: 'istiod.istio-system.svc:15012', want: { host: 'istiod.istio-system.svc', port: 15012 } },
  { name: 'bracketed ipv6', value: '[::1]:15008', want: { host: '::1', port: 15008 } },
  { name: 'port 0', value: 'localhost:0', want: { host: 'localhost', port: 0 } },
  { name: 'missing port', value: 'istiod', err: 'missing port' },
  { name: 'empty host', value: ':80', err: 'missing host' },
  { name: 'port too large', value: 'a:65536', err: 'bad port' },
  { name: 'port not numeric', value: 'a:http', err: 'bad port' },
  { name: 'unbracketed ipv6', value: '::1:80', err: 'brackets' },
  { name: 'unclosed bracket', value: '[::1:80', err: '[v6]:port' },
  { name: 'brackets around ipv4', value: '[1.2.3.4]:80', err: 'only for IPv6' },
]);

run('envList', (e) => envList(e, 'X', ['a']), [
  { name: 'unset gives the default', value: undefined, want: ['a'] },
  { name: 'single', value: 'x', want: ['x'] },
  { name: 'trims and drops empties', value: ' x , y,,z, ', want: ['x', 'y', 'z'] },
]);

test('formatAddress brackets IPv6 hosts only', () => {
  assert.equal(formatAddress({ host: '::1', port: 80 }), '[::1]:80');
  assert.equal(formatAddress({ host: '10.0.0.1', port: 80 }), '10.0.0.1:80');
});

test('envList returns a copy of the default, never the default itself', () => {
  const def = ['a'];
  const got = envList({}, 'X', def);
  got.push('b');
  assert.deepEqual(def, ['a']);
});
