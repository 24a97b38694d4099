// Replays istiod's own conversion goldens (TestRBACConvert) against our converters. The cases live in the shared
// peer-suite folder beside the checkout; see its README for the format and how multi-object inputs are fed.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { Authorization } from './authorization-parts.ts';
import { convertAuthorizationPolicy } from './convert-authorization-policy.ts';
import { convertPeerAuthentication } from './convert-peer-authentication.ts';
import { toProtoJson } from './proto-json.ts';

const ROOT_NAMESPACE = 'istio-system';
const EXPECTED_CASES = 22;
// common/src/authz → up four levels is the folder that holds both the checkout and shared/.
const TESTDATA = new URL('../../../../shared/peer-suites/istio-ambient-authz/testdata/', import.meta.url);

interface Obj {
  kind?: string;
  metadata?: { namespace?: string };
  spec?: { selector?: unknown };
}

function parseDocs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

/** The upstream test's slots: mesh = root-namespace object, namespace = selector-less, workload = with selector;
 * with no workload object the namespace object takes the workload slot. */
function convertPeerAuthentications(objs: readonly Obj[]): Authorization | null {
  const mesh = objs.find((o) => o.metadata?.namespace === ROOT_NAMESPACE) ?? null;
  const rest = objs.filter((o) => o !== mesh);
  let namespace = rest.find((o) => o.spec?.selector === undefined) ?? null;
  let workload = rest.find((o) => o.spec?.selector !== undefined) ?? null;
  if (!workload) {
    workload = namespace;
    namespace = null;
  }
  assert.ok(workload, 'case has no PeerAuthentication to convert');
  return convertPeerAuthentication(ROOT_NAMESPACE, workload, namespace, mesh);
}

const cases = existsSync(TESTDATA)
  ? readdirSync(TESTDATA)
      .filter((f) => f.endsWith('-in.yaml'))
      .map((f) => f.slice(0, -'-in.yaml'.length))
      .sort()
  : [];

test('the peer suite is present and complete', () => {
  assert.ok(existsSync(TESTDATA), `peer suite not found at ${TESTDATA.pathname}`);
  assert.equal(cases.length, EXPECTED_CASES);
});

for (const name of cases) {
  test(`golden ${name}`, () => {
    const inputs = parseDocs(readFileSync(new URL(`${name}-in.yaml`, TESTDATA), 'utf8'));
    const golden = parseDocs(readFileSync(new URL(`${name}.yaml`, TESTDATA), 'utf8'));
    assert.ok(inputs.length > 0, 'input file holds no object');
    const kinds = new Set(inputs.map((o) => o.kind));
    assert.equal(kinds.size, 1, 'an input file holds one kind');
    let result: Authorization | null;
    if (kinds.has('AuthorizationPolicy')) {
      assert.equal(inputs.length, 1);
      result = convertAuthorizationPolicy(ROOT_NAMESPACE, inputs[0]);
    } else {
      assert.ok(kinds.has('PeerAuthentication'), `unexpected kind ${[...kinds].join()}`);
      result = convertPeerAuthentications(inputs);
    }
    const actual = result === null ? null : toProtoJson(result);
    const expected = golden.length === 0 ? null : golden[0];
    assert.deepStrictEqual(actual, expected);
  });
}
