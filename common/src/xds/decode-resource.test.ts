import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResource, nackMessage } from './decode-resource.ts';
import type { XdsResourceType } from './resource-type.ts';

const URL = 'type.googleapis.com/test.Text';

/** A toy type: the Any's bytes are UTF-8 "<name>=<value>"; an empty value is invalid, "!" cannot be decoded. */
const textType: XdsResourceType<{ name: string; value: string }> = {
  typeUrl: URL,
  decode: (any) => {
    const text = Buffer.from(any.value).toString();
    if (text === '!') throw new Error('not text');
    const [name = '', value = ''] = text.split('=');
    return { name, value };
  },
  validate: (v) => {
    if (v.value === '') throw new Error('empty value');
  },
  nameOf: (v) => v.name,
};

function any(text: string, typeUrl = URL): { type_url: string; value: Buffer } {
  return { type_url: typeUrl, value: Buffer.from(text) };
}

const cases: { title: string; input: Parameters<typeof decodeResource>; expected: unknown }[] = [
  { title: 'good, named by delta', input: [textType, any('a=1'), 'a'], expected: { ok: true, name: 'a', value: { name: 'a', value: '1' } } },
  { title: 'good, named by nameOf (SotW)', input: [textType, any('b=2'), null], expected: { ok: true, name: 'b', value: { name: 'b', value: '2' } } },
  { title: 'no body', input: [textType, null, 'a'], expected: { ok: false, name: 'a', reason: 'resource has no body' } },
  {
    title: 'wrong type URL',
    input: [textType, any('a=1', 'type.googleapis.com/other.T'), 'a'],
    expected: { ok: false, name: 'a', reason: `type URL "type.googleapis.com/other.T", expected ${URL}` },
  },
  { title: 'decode failure keeps the delta name', input: [textType, any('!'), 'a'], expected: { ok: false, name: 'a', reason: 'not text' } },
  { title: 'decode failure in SotW has no name', input: [textType, any('!'), null], expected: { ok: false, name: null, reason: 'not text' } },
  { title: 'validation failure is named', input: [textType, any('c='), null], expected: { ok: false, name: 'c', reason: 'empty value' } },
  { title: 'empty SotW name', input: [textType, any('=1'), null], expected: { ok: false, name: null, reason: 'resource has an empty name' } },
];

for (const c of cases) {
  test(`decodeResource: ${c.title}`, () => {
    assert.deepEqual(decodeResource(...c.input), c.expected);
  });
}

test('decodeResource: SotW without nameOf says so', () => {
  const { nameOf: _drop, ...unnamed } = textType;
  const result = decodeResource(unnamed, any('a=1'), null);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /has no nameOf/);
});

test('nackMessage joins "<name>: <reason>" with "; " and names unnamed ones by index', () => {
  assert.equal(
    nackMessage([
      { name: 'a', reason: 'empty value', index: 0 },
      { name: null, reason: 'not text', index: 3 },
    ]),
    'a: empty value; resource[3]: not text',
  );
  assert.equal(nackMessage([]), '');
});
