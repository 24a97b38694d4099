import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../errors.ts';
import {
  convertAuthorizationPolicy,
  convertAuthorizationPolicyWithStatus,
} from './convert-authorization-policy.ts';
import { toProtoJson } from './proto-json.ts';

const ROOT = 'istio-system';

function ap(spec: unknown, meta: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'pol', namespace: 'app', ...meta },
    spec,
  };
}

describe('convertAuthorizationPolicy scope and action', () => {
  const cases = [
    { name: 'namespace-wide', input: ap({}), scope: 'NAMESPACE', action: 'ALLOW' },
    { name: 'root namespace without selector is global', input: ap({}, { namespace: ROOT }), scope: 'GLOBAL', action: 'ALLOW' },
    {
      name: 'selector makes it workload-scoped, even in the root namespace',
      input: ap({ selector: { matchLabels: { app: 'a' } }, action: 'DENY' }, { namespace: ROOT }),
      scope: 'WORKLOAD_SELECTOR',
      action: 'DENY',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = convertAuthorizationPolicy(ROOT, c.input);
      assert.ok(out);
      assert.equal(out.scope, c.scope);
      assert.equal(out.action, c.action);
    });
  }
});

describe('policies ztunnel does not get', () => {
  const cases = [
    { name: 'targetRefs (waypoint policy)', input: ap({ targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }] }), warning: null },
    { name: 'single targetRef', input: ap({ targetRef: { kind: 'Service', group: '', name: 'svc' } }), warning: null },
    { name: 'AUDIT', input: ap({ action: 'AUDIT' }), warning: 'ztunnel does not support the AUDIT action' },
    { name: 'CUSTOM', input: ap({ action: 'CUSTOM', provider: { name: 'ext' } }), warning: 'ztunnel does not support the CUSTOM action' },
    {
      name: 'dry-run while support is off',
      input: ap({}, { annotations: { 'istio.io/dry-run': 'true' } }),
      warning: 'found policy "app/pol" using dry-run annotation, but support for ambient dry-run authorizationPolicies isn\'t enabled',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const res = convertAuthorizationPolicyWithStatus(ROOT, c.input);
      assert.equal(res.policy, null);
      assert.equal(res.warning, c.warning);
    });
  }
});

test('dry-run policies are sent with dryRun when enabled', () => {
  const input = ap({ action: 'DENY', rules: [{}] }, { annotations: { 'istio.io/dry-run': 'True' } });
  const out = convertAuthorizationPolicy(ROOT, input, { enableDryRun: true });
  assert.ok(out);
  assert.deepEqual(toProtoJson(out), { name: 'pol', namespace: 'app', scope: 'NAMESPACE', action: 'DENY', dryRun: true, groups: [{}] });
});

test('an empty rule becomes a group without clauses (matches everything)', () => {
  const out = convertAuthorizationPolicy(ROOT, ap({ rules: [{}] }));
  assert.ok(out);
  assert.deepEqual(out.groups, [{ rules: [] }]);
});

test('IPv6 blocks keep the address as written and their prefix length', () => {
  const out = convertAuthorizationPolicy(ROOT, ap({ rules: [{ from: [{ source: { ipBlocks: ['fd00::1', '2001:db8::/32'] } }] }] }));
  assert.ok(out);
  const json = toProtoJson(out) as { groups: { rules: { matches: { sourceIps: unknown[] }[] }[] }[] };
  assert.deepEqual(json.groups[0]?.rules[0]?.matches[0]?.sourceIps, [
    { address: Buffer.from('fd000000000000000000000000000001', 'hex').toString('base64'), length: 128 },
    { address: Buffer.from('20010db8000000000000000000000000', 'hex').toString('base64'), length: 32 },
  ]);
});

describe('HTTP attribute warnings', () => {
  const cases = [
    {
      name: 'ALLOW drops the rule',
      input: ap({ rules: [{ to: [{ operation: { methods: ['GET'], paths: ['/x'] } }] }] }),
      groups: 0,
      warning: /found: methods, paths\).*Within an ALLOW policy, rules matching HTTP attributes are omitted/,
    },
    {
      name: 'DENY with nothing left has no effect',
      input: ap({ action: 'DENY', rules: [{ when: [{ key: 'request.headers[x]', values: ['y'] }] }] }),
      groups: 1,
      warning: /found: request.headers\[x\]\).*this DENY policy has no enforceable rules/,
    },
    {
      name: 'DENY keeps its L4 part',
      input: ap({ action: 'DENY', rules: [{ to: [{ operation: { ports: ['80'], hosts: ['a.example'] } }] }] }),
      groups: 1,
      warning: /found: hosts\).*enforced without the HTTP rules/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const res = convertAuthorizationPolicyWithStatus(ROOT, c.input);
      assert.ok(res.policy);
      assert.equal(res.policy.groups.length, c.groups);
      assert.match(res.warning ?? '', c.warning);
    });
  }
});

describe('bad input is refused with ERR_AUTHZ_INVALID_POLICY naming the field', () => {
  const cases = [
    { name: 'unknown action', input: ap({ action: 'MAYBE' }), message: /AuthorizationPolicy app\/pol: spec.action must be one of/ },
    { name: 'invalid CIDR', input: ap({ rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }), message: /spec.rules\[0\].from\[0\].source.ipBlocks\[0\] must be an IP address or CIDR/ },
    { name: 'invalid IP in when', input: ap({ rules: [{ when: [{ key: 'source.ip', values: ['nope'] }] }] }), message: /spec.rules\[0\].when\[0\].values\[0\] must be an IP/ },
    { name: 'principals not a list', input: ap({ rules: [{ from: [{ source: { principals: 'a' } }] }] }), message: /source.principals must be a list/ },
    { name: 'number where a string belongs', input: ap({ rules: [{ from: [{ source: { namespaces: [7] } }] }] }), message: /source.namespaces\[0\] must be a string/ },
    { name: 'port out of range', input: ap({ rules: [{ to: [{ operation: { ports: ['70000'] } }] }] }), message: /operation.ports\[0\] must be a port number/ },
    { name: 'unknown source field', input: ap({ rules: [{ from: [{ source: { principal: ['x'] } }] }] }), message: /unknown field spec.rules\[0\].from\[0\].source.principal/ },
    { name: 'missing source', input: ap({ rules: [{ from: [{}] }] }), message: /from\[0\].source is required/ },
    { name: 'missing metadata.name', input: { kind: 'AuthorizationPolicy', metadata: {}, spec: {} }, message: /metadata.name is required/ },
    { name: 'wrong kind', input: { ...(ap({}) as object), kind: 'PeerAuthentication' }, message: /kind must be AuthorizationPolicy/ },
    { name: 'not an object', input: 'hello', message: /must be a mapping/ },
    { name: 'bad dry-run annotation', input: ap({}, { annotations: { 'istio.io/dry-run': 'yes' } }), message: /istio.io\/dry-run must be true or false/ },
    { name: 'when without key', input: ap({ rules: [{ when: [{ values: ['x'] }] }] }), message: /when\[0\].key is required/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => convertAuthorizationPolicy(ROOT, c.input),
        (err: unknown) => hasCode(err, 'ERR_AUTHZ_INVALID_POLICY') && c.message.test((err as Error).message),
      );
    });
  }
});
