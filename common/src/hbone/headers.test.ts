import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptTraceparent, formatBaggage, formatForwarded, newTraceparent, parseBaggage } from './headers.ts';

test('baggage carries the source workload keys and omits absent ones', () => {
  const b = formatBaggage({
    cluster: 'Kubernetes',
    namespace: 'default',
    workloadType: 'deployment',
    workloadName: 'sleep',
    canonicalName: 'sleep',
    canonicalRevision: 'v1',
  });
  assert.equal(
    b,
    'k8s.cluster.name=Kubernetes,k8s.namespace.name=default,k8s.deployment.name=sleep,service.name=sleep,service.version=v1',
  );
  assert.equal(formatBaggage({ namespace: 'ns' }), 'k8s.namespace.name=ns');
  const parsed = parseBaggage(b);
  assert.equal(parsed.get('k8s.deployment.name'), 'sleep');
  assert.equal(parsed.get('service.version'), 'v1');
  assert.equal(parseBaggage(undefined).size, 0);
});

test('forwarded has the client address, bracketed for IPv6, and the service host when there is one', () => {
  assert.equal(formatForwarded('10.0.0.5', 43210), 'for="10.0.0.5:43210"');
  assert.equal(
    formatForwarded('10.0.0.5', 43210, 'echo.ns.svc.cluster.local'),
    'for="10.0.0.5:43210";host=echo.ns.svc.cluster.local',
  );
  assert.equal(formatForwarded('fd00::5', 1), 'for="[fd00::5]:1"');
});

test('traceparent is W3C form, random per call; the server keeps a valid one and replaces a bad one', () => {
  const a = newTraceparent();
  const b = newTraceparent();
  assert.match(a, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  assert.equal(a.length, 55);
  assert.notEqual(a, b);
  assert.equal(acceptTraceparent(a), a);
  const replaced = acceptTraceparent('00-short-00');
  assert.match(replaced, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  assert.match(acceptTraceparent(undefined), /^00-/);
});
