import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../errors.ts';
import type { Authorization__Output } from '../gen/istio/security/Authorization.ts';
import { ProtoCodec } from '../proto/index.ts';
import { convertAuthorizationPolicy } from './convert-authorization-policy.ts';
import { fromProtoJson, toProtoJson } from './proto-json.ts';
import { staticStrictPolicy } from './static-policies.ts';

const sample = convertAuthorizationPolicy('istio-system', {
  kind: 'AuthorizationPolicy',
  metadata: { name: 'mix', namespace: 'app' },
  spec: {
    action: 'DENY',
    rules: [
      {
        from: [{ source: { principals: ['td/ns/a/sa/b', 'x*'], notNamespaces: ['*'], ipBlocks: ['10.1.0.0/16'], serviceAccounts: ['sa'] } }],
        to: [{ operation: { ports: ['8080'], notPorts: ['9'] } }],
        when: [{ key: 'destination.ip', values: ['fd00::/8'] }, { key: 'request.method', values: ['GET'] }],
      },
    ],
  },
});

test('fromProtoJson inverts toProtoJson', () => {
  assert.ok(sample);
  assert.deepStrictEqual(fromProtoJson(toProtoJson(sample)), sample);
  assert.deepStrictEqual(fromProtoJson(toProtoJson(staticStrictPolicy('r'))), staticStrictPolicy('r'));
});

test('converted policies have the decoded-proto shape and survive the wire', () => {
  assert.ok(sample);
  const codec = ProtoCodec.load();
  const bytes = codec.encode('istio.security.Authorization', sample);
  const decoded = codec.decode<Authorization__Output>('istio.security.Authorization', bytes);
  assert.deepStrictEqual(toProtoJson(decoded), toProtoJson(sample));
});

test('fromProtoJson accepts proto field names too', () => {
  const a = fromProtoJson({ name: 'n', dry_run: true, groups: [{ rules: [{ matches: [{ not_principals: [{ presence: {} }] }] }] }] });
  assert.equal(a.dry_run, true);
  assert.equal(a.groups[0]?.rules[0]?.matches[0]?.not_principals[0]?.match_type, 'presence');
});

describe('fromProtoJson refuses malformed resources', () => {
  const cases = [
    { name: 'unknown action', input: { name: 'n', action: 'AUDIT' }, message: /action must be ALLOW or DENY/ },
    { name: 'unknown scope', input: { name: 'n', scope: 'CLUSTER' }, message: /scope must be GLOBAL/ },
    { name: 'unknown field', input: { name: 'n', rules: [] }, message: /unknown field rules/ },
    { name: 'two string match kinds', input: { name: 'n', groups: [{ rules: [{ matches: [{ principals: [{ exact: 'a', prefix: 'b' }] }] }] }] }, message: /exactly one of/ },
    { name: 'port as string', input: { name: 'n', groups: [{ rules: [{ matches: [{ destinationPorts: ['80'] }] }] }] }, message: /destinationPorts\[0\] must be a port number/ },
    { name: 'address not base64', input: { name: 'n', groups: [{ rules: [{ matches: [{ sourceIps: [{ address: '10.0.0.1', length: 32 }] }] }] }] }, message: /address must be base64/ },
    { name: 'not a mapping', input: [1], message: /must be a mapping/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => fromProtoJson(c.input),
        (err: unknown) => hasCode(err, 'ERR_AUTHZ_INVALID_POLICY') && c.message.test((err as Error).message),
      );
    });
  }
});
