import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderName, identityLines, peerIp, requestLines } from './fields.ts';

const id = { serviceVersion: 'v1', servicePort: 8080, hostname: 'echo-0', ip: '10.244.1.5' };

describe('echo fields', () => {
  it('strips the IPv4-mapped prefix only from IPv4-mapped addresses', () => {
    assert.equal(peerIp('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(peerIp('::1'), '::1');
    assert.equal(peerIp('fd00::1'), 'fd00::1');
    assert.equal(peerIp(undefined), '');
  });

  it('canonicalizes header names as Go does', () => {
    assert.equal(canonicalHeaderName('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderName('USER-AGENT'), 'User-Agent');
    assert.equal(canonicalHeaderName('te'), 'Te');
  });

  it('writes the identity lines and the request lines in order, headers sorted, one line per value', () => {
    assert.deepEqual(identityLines(id), ['ServiceVersion=v1', 'ServicePort=8080', 'Hostname=echo-0', 'IP=10.244.1.5']);
    const lines = requestLines(id, {
      host: 'echo.demo:8080',
      method: 'GET',
      url: '/a?b=1',
      proto: 'HTTP/1.1',
      statusCode: 200,
      headers: [
        ['x-b', '2'],
        ['Accept', '*/*'],
        ['x-b', '3'],
      ],
    });
    assert.deepEqual(lines, [
      'ServiceVersion=v1',
      'ServicePort=8080',
      'Host=echo.demo:8080',
      'Hostname=echo-0',
      'IP=10.244.1.5',
      'Method=GET',
      'URL=/a?b=1',
      'Proto=HTTP/1.1',
      'StatusCode=200',
      'RequestHeader=Accept:*/*',
      'RequestHeader=X-B:2',
      'RequestHeader=X-B:3',
    ]);
  });
});
