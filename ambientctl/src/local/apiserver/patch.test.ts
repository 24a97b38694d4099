import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, mergePatch } from './patch.ts';

describe('JSON merge patch (RFC 7386 examples)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => assert.deepEqual(mergePatch(target, patch), want));
  }
  it('does not change its inputs', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    assert.deepEqual(target, { a: { b: 1 } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: 'b' } }, spec: { list: [1, 2] } };
  const cases: [string, unknown[], unknown][] = [
    ['add a key', [{ op: 'add', path: '/metadata/labels/c', value: 'd' }], { metadata: { labels: { a: 'b', c: 'd' } }, spec: { list: [1, 2] } }],
    ['append to a list', [{ op: 'add', path: '/spec/list/-', value: 3 }], { metadata: { labels: { a: 'b' } }, spec: { list: [1, 2, 3] } }],
    ['remove', [{ op: 'remove', path: '/metadata/labels/a' }], { metadata: { labels: {} }, spec: { list: [1, 2] } }],
    ['replace a list item', [{ op: 'replace', path: '/spec/list/0', value: 9 }], { metadata: { labels: { a: 'b' } }, spec: { list: [9, 2] } }],
    ['escaped key', [{ op: 'add', path: '/metadata/labels/x~1y', value: 'z' }], { metadata: { labels: { a: 'b', 'x/y': 'z' } }, spec: { list: [1, 2] } }],
    ['move', [{ op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/b' }], { metadata: { labels: { b: 'b' } }, spec: { list: [1, 2] } }],
    ['test then copy', [{ op: 'test', path: '/spec/list/1', value: 2 }, { op: 'copy', from: '/spec/list', path: '/spec/copy' }], { metadata: { labels: { a: 'b' } }, spec: { list: [1, 2], copy: [1, 2] } }],
  ];
  for (const [name, ops, want] of cases) {
    it(name, () => assert.deepEqual(jsonPatch(doc, ops), want));
  }
  const bad: [string, unknown, RegExp][] = [
    ['not an array', { op: 'add' }, /JSON array/],
    ['unknown op', [{ op: 'frob', path: '/a' }], /unknown op "frob"/],
    ['missing path', [{ op: 'remove', path: '/nope/x' }], /does not exist/],
    ['failed test', [{ op: 'test', path: '/spec/list/0', value: 5 }], /test operation 0 failed/],
    ['index out of range', [{ op: 'replace', path: '/spec/list/7', value: 1 }], /out of range|does not exist/],
  ];
  for (const [name, ops, msg] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => jsonPatch(doc, ops), msg));
  }
});
