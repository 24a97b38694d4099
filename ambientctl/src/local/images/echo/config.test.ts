import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HTTP_PORT, echoServerConfig } from './config.ts';
import { EchoError } from './echo-error.ts';

describe('echo server config', () => {
  it('serves 8080 over HTTP when neither PORTS nor flags are given', () => {
    const c = echoServerConfig([], {}, 'host-1');
    assert.deepEqual(c.ports, [{ port: DEFAULT_HTTP_PORT, name: 'http', kind: 'http' }]);
    assert.equal(c.hostname, 'host-1');
    assert.equal(c.host, undefined);
    assert.equal(c.serviceVersion, '');
    assert.equal(c.logFormat, 'text');
  });

  it('an explicitly empty PORTS serves nothing (a client-only pod)', () => {
    assert.deepEqual(echoServerConfig([], { PORTS: '' }, 'h').ports, []);
  });

  it('adds Istio-style flags to PORTS; flags win over env for version and bind', () => {
    const c = echoServerConfig(['--port', '8081', '--grpc', '7070', '--tcp', '9001', '--version', 'v2', '--bind', '127.0.0.1'], {
      PORTS: '8080:http',
      SERVICE_VERSION: 'v1',
      POD_NAME: 'echo-abc',
      BIND_ADDRESS: '0.0.0.0',
    }, 'h');
    assert.deepEqual(
      c.ports.map((p) => `${p.port}/${p.kind}`),
      ['8080/http', '8081/http', '7070/grpc', '9001/tcp'],
    );
    assert.equal(c.serviceVersion, 'v2');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.hostname, 'echo-abc');
  });

  it('refuses unknown flags, duplicate ports and bad log settings', () => {
    assert.throws(() => echoServerConfig(['--nope'], {}, 'h'), (e: unknown) => e instanceof EchoError && /nope/.test(e.message));
    assert.throws(() => echoServerConfig(['--port', '8080'], { PORTS: '8080' }, 'h'), /port 8080 is given twice/);
    assert.throws(() => echoServerConfig([], { LOG_FORMAT: 'xml' }, 'h'), /LOG_FORMAT=xml/);
    assert.throws(() => echoServerConfig([], { LOG_LEVEL: 'loud' }, 'h'), /loud/);
  });
});
