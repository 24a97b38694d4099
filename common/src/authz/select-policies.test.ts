import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicy } from './policy.ts';
import { fromProtoJson } from './proto-json.ts';
import { selectPolicies } from './select-policies.ts';

const p = (namespace: string, name: string, scope: string) => compilePolicy(fromProtoJson({ name, namespace, scope }));
const all = [
  p('app', 'ns-wide', 'NAMESPACE'),
  p('other', 'ns-wide', 'NAMESPACE'),
  p('istio-system', 'mesh', 'GLOBAL'),
  p('app', 'selected', 'WORKLOAD_SELECTOR'),
  p('app', 'not-selected', 'WORKLOAD_SELECTOR'),
];

const cases = [
  { name: 'namespace + global, in that order', sel: { namespace: 'app', workloadPolicyNames: [] }, keys: ['app/ns-wide', 'istio-system/mesh'] },
  { name: 'other namespace', sel: { namespace: 'other', workloadPolicyNames: [] }, keys: ['other/ns-wide', 'istio-system/mesh'] },
  {
    name: 'workload names add selector policies; unknown names are skipped; no duplicates',
    sel: { namespace: 'app', workloadPolicyNames: ['app/selected', 'app/missing', 'app/ns-wide'] },
    keys: ['app/ns-wide', 'istio-system/mesh', 'app/selected'],
  },
];
for (const c of cases) {
  test(c.name, () => assert.deepEqual(selectPolicies(all, c.sel).map((x) => x.key), c.keys));
}
