import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeId } from './node-id.ts';

test('parseNodeId reads ztunnel ids and explains bad ones', () => {
  assert.deepEqual(parseNodeId('ztunnel~10.244.1.3~ztunnel-abc.istio-system~istio-system.svc.cluster.local'), {
    type: 'ztunnel',
    ip: '10.244.1.3',
    podName: 'ztunnel-abc',
    podNamespace: 'istio-system',
    dnsDomain: 'istio-system.svc.cluster.local',
  });
  const cases: [string, RegExp][] = [
    ['ztunnel~10.0.0.1~pod', /4 "~"-separated parts/],
    ['gateway~1.2.3.4~p.ns~ns.svc.cluster.local', /unknown proxy type "gateway"/],
    ['ztunnel~1.2.3.4~podonly~ns.svc.cluster.local', /not <pod>.<namespace>/],
    ['', /4 "~"-separated parts/],
  ];
  for (const [id, message] of cases) {
    const parsed = parseNodeId(id);
    assert.ok('error' in parsed, id);
    assert.match(parsed.error, message);
  }
});
