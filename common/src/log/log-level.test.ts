import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLevelSpec, parseLevelSpec, parseLogLevel } from './log-level.ts';
import { LogError } from './log-error.ts';

const valid: { name: string; text: string; def?: string; scopes: [string, string][] }[] = [
  { name: 'bare level sets the default', text: 'debug', def: 'debug', scopes: [] },
  { name: 'default scope sets the default', text: 'default:warn', def: 'warn', scopes: [] },
  { name: 'one scope', text: 'xds:debug', scopes: [['xds', 'debug']] },
  {
    name: 'scopes and default, spaces and case ignored',
    text: ' xds:DEBUG , default:info,proxy.inbound:error ',
    def: 'info',
    scopes: [['xds', 'debug'], ['proxy.inbound', 'error']],
  },
  { name: 'off is an alias of none', text: 'access:off', scopes: [['access', 'none']] },
  { name: 'later entries win', text: 'xds:info,xds:trace', scopes: [['xds', 'trace']] },
];

for (const c of valid) {
  test(`parseLevelSpec: ${c.name}`, () => {
    const got = parseLevelSpec(c.text);
    assert.equal(got.default, c.def);
    assert.deepEqual([...got.scopes], c.scopes);
  });
}

const invalid: { name: string; text: string; err: RegExp }[] = [
  { name: 'unknown level', text: 'xds:loud', err: /invalid log level "loud"/ },
  { name: 'unknown bare level', text: 'verbose', err: /invalid log level "verbose"/ },
  { name: 'empty', text: ' , ', err: /empty log level list/ },
  { name: 'empty scope', text: ':debug', err: /invalid log scope ""/ },
  { name: 'bad scope characters', text: 'x y:debug', err: /invalid log scope "x y"/ },
];

for (const c of invalid) {
  test(`parseLevelSpec rejects ${c.name}`, () => {
    assert.throws(
      () => parseLevelSpec(c.text),
      (e: unknown) => e instanceof LogError && e.code === 'ERR_LOG_INVALID_LEVEL' && c.err.test(e.message),
    );
  });
}

test('parseLogLevel lists the valid levels in its error', () => {
  assert.throws(() => parseLogLevel('x'), /expected one of trace, debug, info, warn, error, none/);
});

test('formatLevelSpec puts the default first and sorts scopes', () => {
  const text = formatLevelSpec('info', new Map([['xds', 'debug'], ['access', 'none']] as const));
  assert.equal(text, 'default:info,access:none,xds:debug');
  const back = parseLevelSpec(text);
  assert.equal(back.default, 'info');
  assert.equal(back.scopes.get('xds'), 'debug');
});
