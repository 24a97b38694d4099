import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameValue, threeWayMergePatch } from './apply-patch.ts';

class Model {
  a?: number = undefined;
  b?: string = 'x';
}

describe('apply three-way merge patch', () => {
  it('compares by value, ignoring prototypes and undefined fields', () => {
    assert.ok(sameValue(new Model(), { b: 'x' }));
    assert.ok(sameValue({ t: new Date(5) }, { t: new Date(5) }));
    assert.ok(!sameValue([1, 2], [2, 1]));
    assert.ok(!sameValue({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!sameValue(null, {}));
  });

  const cases: { name: string; original: object; modified: object; current: object; patch: object }[] = [
    {
      name: 'nothing changed: empty patch, server-filled fields ignored',
      original: { spec: { a: 1 } },
      modified: { spec: { a: 1 } },
      current: { spec: { a: 1, defaulted: true }, status: { phase: 'Running' } },
      patch: {},
    },
    {
      name: 'a changed value is set',
      original: { spec: { a: 1 } },
      modified: { spec: { a: 2 } },
      current: { spec: { a: 1, d: 0 } },
      patch: { spec: { a: 2 } },
    },
    {
      name: 'a field removed from the manifest is deleted',
      original: { metadata: { labels: { x: '1', y: '2' } } },
      modified: { metadata: { labels: { x: '1' } } },
      current: { metadata: { labels: { x: '1', y: '2', z: 'other' } } },
      patch: { metadata: { labels: { y: null } } },
    },
    {
      name: 'a removed field that is already gone needs nothing',
      original: { spec: { a: 1, b: 2 } },
      modified: { spec: { a: 1 } },
      current: { spec: { a: 1 } },
      patch: {},
    },
    {
      name: 'a live edit to a field in the manifest is reverted; lists are replaced whole',
      original: { spec: { ports: [{ port: 80 }] } },
      modified: { spec: { ports: [{ port: 80 }, { port: 81 }] } },
      current: { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      patch: { spec: { ports: [{ port: 80 }, { port: 81 }] } },
    },
    {
      name: 'no last-applied manifest: only sets, never deletes',
      original: {},
      modified: { data: { a: '1' } },
      current: { data: { a: '0', b: '2' } },
      patch: { data: { a: '1' } },
    },
    {
      name: 'a whole object removed is deleted, a new one added',
      original: { spec: { old: { x: 1 } } },
      modified: { spec: { fresh: { y: 1 } } },
      current: { spec: { old: { x: 1 } } },
      patch: { spec: { old: null, fresh: { y: 1 } } },
    },
    {
      name: 'server defaults inside list items are not drift',
      original: { spec: { ports: [{ port: 80, name: 'http' }] } },
      modified: { spec: { ports: [{ port: 80, name: 'http' }] } },
      current: { spec: { ports: [{ port: 80, name: 'http', protocol: 'TCP' }] } },
      patch: {},
    },
    {
      name: 'a field dropped from a list item since the last apply rewrites the list',
      original: { spec: { ports: [{ port: 80, name: 'http' }] } },
      modified: { spec: { ports: [{ port: 80 }] } },
      current: { spec: { ports: [{ port: 80, name: 'http', protocol: 'TCP' }] } },
      patch: { spec: { ports: [{ port: 80 }] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(threeWayMergePatch(c.original as never, c.modified as never, c.current as never), c.patch);
    });
  }
});
