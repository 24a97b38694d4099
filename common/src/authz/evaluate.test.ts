import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../errors.ts';
import { type ConnectionInfo, evaluate } from './evaluate.ts';
import { compilePolicy, type Policy } from './policy.ts';
import { fromProtoJson } from './proto-json.ts';
import { staticStrictPolicy } from './static-policies.ts';

/** A policy from its proto-JSON form with one group holding one clause with one match. */
function policy(name: string, action: 'ALLOW' | 'DENY', match: Record<string, unknown>, extra: Record<string, unknown> = {}): Policy {
  return compilePolicy(fromProtoJson({ name, namespace: 'app', scope: 'NAMESPACE', action, groups: [{ rules: [{ matches: [match] }] }], ...extra }));
}
const b64 = (ip: number[]) => Buffer.from(ip).toString('base64');

const SLEEP = { trustDomain: 'cluster.local', namespace: 'client', serviceAccount: 'sleep' };
const mtls: ConnectionInfo = { srcIdentity: SLEEP, srcIp: '10.0.1.5', dstIp: '10.0.2.7', dstPort: 8080, dstNamespace: 'app' };
const plaintext: ConnectionInfo = { ...mtls, srcIdentity: null };

describe('matching attributes (a single DENY policy decides)', () => {
  const cases: { name: string; match: Record<string, unknown>; conn: ConnectionInfo; denied: boolean }[] = [
    { name: 'exact principal without spiffe://', match: { principals: [{ exact: 'cluster.local/ns/client/sa/sleep' }] }, conn: mtls, denied: true },
    { name: 'principal with spiffe:// never matches', match: { principals: [{ exact: 'spiffe://cluster.local/ns/client/sa/sleep' }] }, conn: mtls, denied: false },
    { name: 'prefix principal', match: { principals: [{ prefix: 'cluster.local/ns/client/' }] }, conn: mtls, denied: true },
    { name: 'suffix principal', match: { principals: [{ suffix: '/sa/sleep' }] }, conn: mtls, denied: true },
    { name: 'presence principal with identity', match: { principals: [{ presence: {} }] }, conn: mtls, denied: true },
    { name: 'presence principal, plaintext', match: { principals: [{ presence: {} }] }, conn: plaintext, denied: false },
    { name: 'not_principals presence, plaintext (static strict)', match: { notPrincipals: [{ presence: {} }] }, conn: plaintext, denied: true },
    { name: 'not_principals presence, mTLS', match: { notPrincipals: [{ presence: {} }] }, conn: mtls, denied: false },
    { name: 'namespace of the peer identity', match: { namespaces: [{ exact: 'client' }] }, conn: mtls, denied: true },
    { name: 'namespace, plaintext', match: { namespaces: [{ exact: 'client' }] }, conn: plaintext, denied: false },
    { name: 'not_namespaces other namespace', match: { notNamespaces: [{ exact: 'other' }] }, conn: mtls, denied: true },
    { name: 'service account', match: { serviceAccounts: [{ namespace: 'client', serviceAccount: 'sleep' }] }, conn: mtls, denied: true },
    { name: 'service account, plaintext', match: { serviceAccounts: [{ namespace: 'client', serviceAccount: 'sleep' }] }, conn: plaintext, denied: false },
    { name: 'not_service_accounts, plaintext', match: { notServiceAccounts: [{ namespace: 'client', serviceAccount: 'sleep' }] }, conn: plaintext, denied: true },
    { name: 'source CIDR', match: { sourceIps: [{ address: b64([10, 0, 0, 0]), length: 16 }] }, conn: mtls, denied: true },
    { name: 'source CIDR with host bits set', match: { sourceIps: [{ address: b64([10, 0, 9, 9]), length: 16 }] }, conn: mtls, denied: true },
    { name: 'source CIDR miss', match: { sourceIps: [{ address: b64([10, 1, 0, 0]), length: 16 }] }, conn: mtls, denied: false },
    { name: 'IPv4-mapped source is treated as IPv4', match: { sourceIps: [{ address: b64([10, 0, 1, 5]), length: 32 }] }, conn: { ...mtls, srcIp: '::ffff:10.0.1.5' }, denied: true },
    { name: 'not_source_ips excludes', match: { notSourceIps: [{ address: b64([10, 0, 1, 5]), length: 32 }] }, conn: mtls, denied: false },
    { name: 'destination IP', match: { destinationIps: [{ address: b64([10, 0, 2, 7]), length: 32 }] }, conn: mtls, denied: true },
    { name: 'IPv4 block never holds an IPv6 address', match: { sourceIps: [{ address: b64([0, 0, 0, 0]), length: 0 }] }, conn: { ...mtls, srcIp: 'fd00::1' }, denied: false },
    { name: 'destination port', match: { destinationPorts: [8080] }, conn: mtls, denied: true },
    { name: 'not_destination_ports', match: { notDestinationPorts: [8080] }, conn: mtls, denied: false },
    { name: 'all attributes AND', match: { destinationPorts: [8080], principals: [{ exact: 'x' }] }, conn: mtls, denied: false },
    { name: 'values within an attribute OR', match: { destinationPorts: [1, 8080] }, conn: mtls, denied: true },
    { name: 'empty match never matches', match: {}, conn: mtls, denied: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = evaluate([policy('d', 'DENY', c.match)], c.conn);
      assert.equal(out.decision, c.denied ? 'deny' : 'allow');
      assert.equal(out.policy, c.denied ? 'app/d' : null);
    });
  }
});

describe('rule structure', () => {
  const deny = (groups: unknown) => compilePolicy(fromProtoJson({ name: 'd', namespace: 'app', action: 'DENY', groups }));
  const port = (p: number) => ({ matches: [{ destinationPorts: [p] }] });
  const cases = [
    { name: 'no groups never matches', groups: [], denied: false },
    { name: 'group without clauses matches everything', groups: [{}], denied: true },
    { name: 'clause without matches counts as a match', groups: [{ rules: [{}, port(8080)] }], denied: true },
    { name: 'clauses AND (one fails)', groups: [{ rules: [port(8080), port(9)] }], denied: false },
    { name: 'groups OR', groups: [{ rules: [port(9)] }, { rules: [port(8080)] }], denied: true },
    { name: 'matches in a clause OR, empty ones skipped', groups: [{ rules: [{ matches: [{}, { destinationPorts: [8080] }] }] }], denied: true },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(evaluate([deny(c.groups)], mtls).decision, c.denied ? 'deny' : 'allow'));
  }
});

describe('ALLOW / DENY / dry-run precedence', () => {
  const allowSleep = policy('allow-sleep', 'ALLOW', { principals: [{ exact: 'cluster.local/ns/client/sa/sleep' }] });
  const allowOther = policy('allow-other', 'ALLOW', { principals: [{ exact: 'cluster.local/ns/x/sa/y' }] });
  const denyPort = policy('deny-8080', 'DENY', { destinationPorts: [8080] });
  const dryDeny = policy('dry-deny', 'DENY', { destinationPorts: [8080] }, { dryRun: true });
  const dryAllow = policy('dry-allow', 'ALLOW', { principals: [{ exact: 'nobody' }] }, { dryRun: true });
  const strict = compilePolicy(staticStrictPolicy('istio-system'));
  const cases = [
    { name: 'no policies allows', policies: [], conn: mtls, decision: 'allow', policy: null, reason: /no ALLOW policy applies/ },
    { name: 'matching ALLOW allows', policies: [allowOther, allowSleep], conn: mtls, decision: 'allow', policy: 'app/allow-sleep', reason: /allowed by ALLOW policy app\/allow-sleep/ },
    { name: 'no matching ALLOW denies', policies: [allowOther], conn: mtls, decision: 'deny', policy: null, reason: /no ALLOW policy matched \(1 apply to namespace app: app\/allow-other\)/ },
    { name: 'DENY wins over a matching ALLOW', policies: [allowSleep, denyPort], conn: mtls, decision: 'deny', policy: 'app/deny-8080', reason: /denied by DENY policy app\/deny-8080/ },
    { name: 'static strict denies plaintext', policies: [strict], conn: plaintext, decision: 'deny', policy: 'istio-system/istio_converted_static_strict', reason: /denied/ },
    { name: 'dry-run DENY does not deny', policies: [dryDeny], conn: mtls, decision: 'allow', policy: null, reason: /no ALLOW policy applies/ },
    { name: 'dry-run ALLOW does not count as an ALLOW', policies: [dryAllow], conn: mtls, decision: 'allow', policy: null, reason: /no ALLOW policy applies/ },
  ] as const;
  for (const c of cases) {
    test(c.name, () => {
      const out = evaluate(c.policies, c.conn);
      assert.equal(out.decision, c.decision);
      assert.equal(out.policy, c.policy);
      assert.match(out.reason, c.reason);
    });
  }

  test('dry-run outcome is reported separately', () => {
    const out = evaluate([allowSleep, dryDeny, dryAllow], mtls);
    assert.equal(out.decision, 'allow');
    assert.deepEqual(out.dryRun, {
      decision: 'deny',
      policy: 'app/dry-deny',
      reason: 'denied by DENY policy app/dry-deny',
      matched: ['app/dry-deny'],
    });
  });

  test('no dry-run field without dry-run policies', () => {
    assert.equal('dryRun' in evaluate([allowSleep], mtls), false);
  });
});

describe('bad connections and policies are refused', () => {
  test('bad source IP', () => {
    assert.throws(() => evaluate([], { ...mtls, srcIp: '10.0.0' }), (e: unknown) => hasCode(e, 'ERR_AUTHZ_INVALID_CONNECTION'));
  });
  test('port out of range', () => {
    assert.throws(() => evaluate([], { ...mtls, dstPort: 70000 }), (e: unknown) => hasCode(e, 'ERR_AUTHZ_INVALID_CONNECTION'));
  });
  const bad = [
    { name: 'address of 5 bytes', a: { name: 'p', groups: [{ rules: [{ matches: [{ source_ips: [{ address: Buffer.alloc(5), length: 8 }] }] }] }] }, message: /must be 4 \(IPv4\) or 16 \(IPv6\) bytes/ },
    { name: 'prefix too long', a: { name: 'p', groups: [{ rules: [{ matches: [{ source_ips: [{ address: Buffer.alloc(4), length: 33 }] }] }] }] }, message: /length 33 is out of range/ },
    { name: 'port too big', a: { name: 'p', groups: [{ rules: [{ matches: [{ destination_ports: [65536] }] }] }] }, message: /port 65536 is out of range/ },
    { name: 'string match without a type', a: { name: 'p', groups: [{ rules: [{ matches: [{ principals: [{}] }] }] }] }, message: /sets none of exact/ },
    { name: 'no name', a: { name: '' }, message: /name is empty/ },
    { name: 'unknown action', a: { name: 'p', action: 'AUDIT' }, message: /unknown action/ },
  ];
  for (const c of bad) {
    test(`compilePolicy: ${c.name}`, () => {
      assert.throws(
        () => compilePolicy(c.a as never),
        (e: unknown) => hasCode(e, 'ERR_AUTHZ_INVALID_POLICY') && c.message.test((e as Error).message),
      );
    });
  }
});
