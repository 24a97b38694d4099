import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@mesh/common/log';
import { ProtoCodec, TYPE_URL } from '@mesh/common/proto';
import { ResourceStore } from '@mesh/common/xds';
import type { StoreChange } from '@mesh/common/xds';
import { Pusher } from './pusher.ts';
import type { PushModel } from './pusher.ts';

let codec: ProtoCodec;
before(() => {
  codec = ProtoCodec.load();
});

const log = createLogger({ level: 'none' });
const workload = (uid: string, ip: number) => ({ name: uid, aliases: [`/10.0.0.${ip}`], value: { workload: { uid, name: uid, namespace: 'app', addresses: [Buffer.from([10, 0, 0, ip])] } } });
const policy = (name: string, action: string) => ({ name: `app/${name}`, aliases: [], value: { name, namespace: 'app', scope: 'NAMESPACE', action } });

function model(pods: Record<string, number>, policies: Record<string, string> = {}): PushModel {
  return {
    addresses: new Map(Object.entries(pods).map(([uid, ip]) => [uid, workload(uid, ip)])),
    authorizations: new Map(Object.entries(policies).map(([name, action]) => [`app/${name}`, policy(name, action)])),
    errors: [],
  };
}

function setup(): { pusher: Pusher<PushModel>; store: ResourceStore; changes: StoreChange[]; set: (m: PushModel | Error) => void } {
  let current: PushModel | Error = model({});
  const store = new ResourceStore();
  const changes: StoreChange[] = [];
  store.subscribe((c) => changes.push(c));
  const pusher = new Pusher<PushModel>({
    codec,
    store,
    logger: log.logger,
    snapshot: () => {
      if (current instanceof Error) throw current;
      return current;
    },
    build: (m) => m,
  });
  return { pusher, store, changes, set: (m) => (current = m) };
}

test('a rebuild that changes one resource changes only that name; an identical rebuild changes nothing', () => {
  const { pusher, changes, set } = setup();
  set(model({ a: 1, b: 2, c: 3 }, { deny: 'DENY' }));
  const first = pusher.push('initial');
  assert.deepEqual(first?.addresses.changed, ['a', 'b', 'c']);
  assert.deepEqual(first?.authorizations.changed, ['app/deny']);

  changes.length = 0;
  set(model({ a: 1, b: 2, c: 3 }, { deny: 'DENY' }));
  pusher.push('same objects');
  assert.deepEqual(changes, [], 'equal bytes: nothing reaches the streams');

  set(model({ a: 1, b: 9, c: 3 }, { deny: 'DENY' }));
  pusher.push('b moved');
  assert.deepEqual(changes, [{ typeUrl: TYPE_URL.ADDRESS, changed: ['b'], removed: [] }]);

  changes.length = 0;
  set(model({ a: 1, b: 9 }, { deny: 'ALLOW' }));
  pusher.push('c gone, policy edited');
  assert.deepEqual(changes, [
    { typeUrl: TYPE_URL.AUTHORIZATION, changed: ['app/deny'], removed: [] },
    { typeUrl: TYPE_URL.ADDRESS, changed: [], removed: ['c'] },
  ]);
  assert.equal(pusher.sequence, 4);
});

test('a failing rebuild keeps the last pushed state', () => {
  const { pusher, store, changes, set } = setup();
  set(model({ a: 1 }));
  pusher.push('initial');
  const before = store.get(TYPE_URL.ADDRESS).get('a')?.version;
  changes.length = 0;
  set(new Error('model bug'));
  assert.equal(pusher.push('broken'), null);
  set({ ...model({}), addresses: new Map([['x', { name: 'x', aliases: [], value: { workload: { addresses: 7 } } }]]) });
  assert.equal(pusher.push('unencodable'), null);
  assert.deepEqual(changes, []);
  assert.equal(store.get(TYPE_URL.ADDRESS).get('a')?.version, before);
  assert.equal(pusher.model?.addresses.has('a'), true);
});
