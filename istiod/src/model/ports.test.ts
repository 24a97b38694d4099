import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appProtocolOf } from './ports.ts';

describe('appProtocolOf', () => {
  const cases: [name: string | undefined, appProtocol: string | undefined, protocol: string | undefined, want: string][] = [
    ['http', undefined, 'TCP', 'HTTP11'],
    ['HTTP-web', undefined, 'TCP', 'HTTP11'],
    ['http2-api', undefined, undefined, 'HTTP2'],
    ['grpc', undefined, undefined, 'GRPC'],
    ['grpc-web', undefined, undefined, 'GRPC'],
    ['tcp-db', undefined, undefined, 'TCP'],
    ['tls-x', undefined, undefined, 'TLS'],
    ['https', undefined, undefined, 'TLS'],
    ['web', undefined, undefined, 'UNKNOWN'],
    [undefined, undefined, undefined, 'UNKNOWN'],
    ['tcp', 'http', undefined, 'HTTP11'],
    ['x', 'kubernetes.io/h2c', undefined, 'HTTP2'],
    ['http', 'custom', undefined, 'UNKNOWN'],
    ['http', '', undefined, 'HTTP11'],
    ['dns', undefined, 'UDP', 'UNKNOWN'],
    ['http', 'http', 'UDP', 'UNKNOWN'],
  ];
  for (const [name, app, proto, want] of cases) {
    it(`name ${name}, appProtocol ${app}, protocol ${proto} → ${want}`, () => {
      assert.equal(appProtocolOf(name, app, proto), want);
    });
  }
});
