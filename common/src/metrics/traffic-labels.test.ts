import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRAFFIC_LABELS, fillTrafficLabels } from './traffic-labels.ts';

test('the label set is Istio\'s 23 standard traffic labels, without duplicates', () => {
  assert.equal(TRAFFIC_LABELS.length, 23);
  assert.equal(new Set(TRAFFIC_LABELS).size, 23);
  assert.equal(TRAFFIC_LABELS[0], 'reporter');
  assert.ok(TRAFFIC_LABELS.includes('connection_security_policy'));
});

const cases: { name: string; input: Record<string, string | undefined>; check: Partial<Record<string, string>> }[] = [
  { name: 'empty input is all unknown', input: {}, check: { reporter: 'unknown', destination_service: 'unknown' } },
  { name: 'given values are kept', input: { reporter: 'source', source_workload: 'sleep' }, check: { reporter: 'source', source_workload: 'sleep' } },
  { name: 'empty strings become unknown', input: { source_app: '' }, check: { source_app: 'unknown' } },
  { name: 'explicit undefined becomes unknown', input: { source_version: undefined }, check: { source_version: 'unknown' } },
  { name: 'the "-" response flag is a value, not missing', input: { response_flags: '-' }, check: { response_flags: '-' } },
];

for (const c of cases) {
  test(`fillTrafficLabels: ${c.name}`, () => {
    const got = fillTrafficLabels(c.input);
    assert.deepEqual(Object.keys(got), [...TRAFFIC_LABELS]);
    for (const [k, v] of Object.entries(c.check)) assert.equal(got[k as keyof typeof got], v, k);
  });
}

test('fillTrafficLabels drops keys that are not traffic labels', () => {
  const got = fillTrafficLabels({ reporter: 'source', pod: 'x' } as never);
  assert.equal('pod' in got, false);
});
