import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.ts';
import { matchesLabels, parseFieldSelector, parseLabelSelector, selectorMatcher } from './selectors.ts';

const LABELS = { app: 'web', tier: 'front', 'example.com/rank': '3' };

describe('label selectors', () => {
  const cases: [name: string, selector: string, matches: boolean][] = [
    ['empty selects everything', '', true],
    ['equality', 'app=web', true],
    ['double equals', 'app==web', true],
    ['equality, other value', 'app=db', false],
    ['inequality', 'app!=db', true],
    ['inequality on a missing key', 'zone!=a', true],
    ['exists', 'tier', true],
    ['not exists', '!tier', false],
    ['not exists on a missing key', '!zone', true],
    ['in', 'app in (db,web)', true],
    ['in, no match', 'app in (db)', false],
    ['notin', 'app notin (db)', true],
    ['notin on a missing key', 'zone notin (a)', true],
    ['prefixed key', 'example.com/rank=3', true],
    ['greater than', 'example.com/rank>2', true],
    ['less than', 'example.com/rank<3', false],
    ['all of several (AND)', 'app=web,tier in (front,back),!zone', true],
    ['one of several fails', 'app=web,tier=back', false],
    ['spaces around parts', ' app = web , tier ', true],
  ];
  for (const [name, sel, want] of cases) {
    it(name, () => assert.equal(matchesLabels(parseLabelSelector(sel), LABELS), want));
  }

  const bad: [string, string][] = [
    ['unclosed set', 'app in (a'],
    ['bad key', 'a b=c'],
    ['empty part', 'app=web,,tier'],
    ['value too long', `app=${'x'.repeat(64)}`],
    ['non-integer comparison', 'rank>abc'],
  ];
  for (const [name, sel] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseLabelSelector(sel), (e: unknown) => e instanceof ApiError && e.status === 400 && e.message.includes(sel));
    });
  }
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p1', namespace: 'ns1', labels: { a: 'b' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  const cases: [string, string, boolean][] = [
    ['metadata.name', 'metadata.name=p1', true],
    ['metadata.namespace', 'metadata.namespace=ns2', false],
    ['spec.nodeName', 'spec.nodeName=n1', true],
    ['status.phase inequality', 'status.phase!=Failed', true],
    ['missing field reads as empty', 'spec.hostNetwork=', true],
    ['two requirements', 'spec.nodeName=n1,status.phase=Pending', false],
  ];
  for (const [name, sel, want] of cases) {
    it(name, () => assert.equal(selectorMatcher(null, sel)(pod), want));
  }
  it('combines with a label selector', () => {
    assert.equal(selectorMatcher('a=b', 'spec.nodeName=n1')(pod), true);
    assert.equal(selectorMatcher('a=c', 'spec.nodeName=n1')(pod), false);
  });
  it('rejects a requirement without an operator', () => {
    assert.throws(() => parseFieldSelector('spec.nodeName'), /field=value/);
  });
});
