import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceStore } from './resource-store.ts';
import type { StoreChange, StoredResource } from './resource-store.ts';

const T = 'type.googleapis.com/test.Thing';

function entry(version: string): StoredResource {
  return { version, resource: { type_url: T, value: Buffer.from(version) } };
}

test('setResources reports only new, changed and removed names and bumps the version', () => {
  const store = new ResourceStore();
  const seen: StoreChange[] = [];
  store.subscribe((c) => seen.push(c));
  store.setResources(T, new Map([['a', entry('1')], ['b', entry('1')]]));
  assert.equal(store.version(T), '1');
  const change = store.setResources(T, new Map([['a', entry('1')], ['c', entry('1')], ['b', entry('2')]]));
  assert.deepEqual(change, { typeUrl: T, changed: ['c', 'b'], removed: [] });
  const third = store.setResources(T, new Map([['c', entry('1')]]));
  assert.deepEqual([...third.removed].sort(), ['a', 'b']);
  assert.deepEqual(third.changed, []);
  assert.equal(seen.length, 3);
  assert.equal(store.version(T), '3');
  assert.deepEqual([...store.get(T).keys()], ['c']);
});

test('writes that change nothing are not published and do not bump the version', () => {
  const store = new ResourceStore();
  let calls = 0;
  const stop = store.subscribe(() => calls++);
  store.upsert(T, 'a', entry('1'));
  store.upsert(T, 'a', entry('1'));
  store.remove(T, 'missing');
  store.setResources(T, new Map([['a', entry('1')]]));
  assert.equal(calls, 1);
  assert.equal(store.version(T), '1');
  stop();
  store.remove(T, 'a');
  assert.equal(calls, 1);
  assert.equal(store.get(T).size, 0);
});

test('an unknown type is empty with version 0', () => {
  const store = new ResourceStore();
  assert.equal(store.get('nope').size, 0);
  assert.equal(store.version('nope'), '0');
});
