import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoCodec } from '@mesh/common/proto';
import { EncodingCache, contentVersion, toStoredResources } from './stored-resources.ts';

let codec: ProtoCodec;
before(() => {
  codec = ProtoCodec.load();
});

const workload = (name: string, ip: number[]): { name: string; aliases: string[]; value: object } => ({
  name,
  aliases: [`/${ip.join('.')}`],
  value: { workload: { uid: name, name, namespace: 'app', addresses: [Buffer.from(ip)] } },
});

test('versions are content hashes: equal bytes and aliases give equal versions, any difference a new one', () => {
  const first = toStoredResources(codec, 'istio.workload.Address', new Map([['a', workload('a', [10, 0, 0, 1])]]));
  const again = toStoredResources(codec, 'istio.workload.Address', new Map([['a', workload('a', [10, 0, 0, 1])]]));
  const moved = toStoredResources(codec, 'istio.workload.Address', new Map([['a', workload('a', [10, 0, 0, 2])]]));
  assert.equal(first.get('a')?.version, again.get('a')?.version);
  assert.notEqual(first.get('a')?.version, moved.get('a')?.version);
  assert.deepEqual(first.get('a')?.aliases, ['/10.0.0.1']);
  assert.equal(first.get('a')?.resource.type_url, 'type.googleapis.com/istio.workload.Address');
  const bytes = Buffer.from([1, 2, 3]);
  assert.notEqual(contentVersion(bytes, ['x']), contentVersion(bytes, ['y']));
  assert.notEqual(contentVersion(bytes, ['a', 'b']), contentVersion(bytes, ['ab']));
});

test('an unencodable resource throws, naming the type', () => {
  assert.throws(
    () => toStoredResources(codec, 'istio.workload.Address', new Map([['bad', { name: 'bad', aliases: [], value: { workload: { addresses: 'not-bytes-but-a-number' as unknown as number } } }]])),
    /istio\.workload\.Address/,
  );
});

test('EncodingCache reuses the encoding of unchanged resources and re-encodes changed ones', () => {
  const cache = new EncodingCache(codec, 'istio.workload.Address');
  const first = cache.encode(new Map([['a', workload('a', [10, 0, 0, 1])], ['b', workload('b', [10, 0, 0, 2])]]));
  const second = cache.encode(new Map([['a', workload('a', [10, 0, 0, 1])], ['b', workload('b', [10, 0, 0, 3])]]));
  assert.equal(second.get('a'), first.get('a'), 'same object: not encoded again');
  assert.notEqual(second.get('b')?.version, first.get('b')?.version);
  assert.deepEqual(second.get('b'), toStoredResources(codec, 'istio.workload.Address', new Map([['b', workload('b', [10, 0, 0, 3])]])).get('b'));
  const third = cache.encode(new Map([['a', { ...workload('a', [10, 0, 0, 1]), aliases: ['/other'] }]]));
  assert.notEqual(third.get('a')?.version, first.get('a')?.version, 'aliases count');
  assert.equal(third.has('b'), false);
});
