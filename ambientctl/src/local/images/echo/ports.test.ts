import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePorts, portKind } from './ports.ts';
import { EchoError } from './echo-error.ts';

describe('echo ports', () => {
  it('derives the kind from the port name', () => {
    const cases: [string, string][] = [
      ['http', 'http'],
      ['http2', 'http'],
      ['grpc', 'grpc'],
      ['grpc-web', 'grpc'],
      ['GRPC', 'grpc'],
      ['tcp', 'tcp'],
      ['tcp-db', 'tcp'],
      ['web', 'http'],
      ['', 'http'],
    ];
    for (const [name, kind] of cases) assert.equal(portKind(name), kind, name);
  });

  it('parses PORTS with and without names, skipping blanks', () => {
    assert.deepEqual(parsePorts('8080:http, 9090:grpc,9000:tcp-x,,8081'), [
      { port: 8080, name: 'http', kind: 'http' },
      { port: 9090, name: 'grpc', kind: 'grpc' },
      { port: 9000, name: 'tcp-x', kind: 'tcp' },
      { port: 8081, name: 'http', kind: 'http' },
    ]);
    assert.deepEqual(parsePorts(''), []);
    assert.equal(parsePorts('0:http,0:tcp').length, 2, 'port 0 (any free port) may repeat');
  });

  it('names the bad entry', () => {
    for (const [spec, re] of [
      ['80x:http', /PORTS entry "80x:http": "80x" is not a TCP port/],
      ['70000', /"70000" is not a TCP port/],
      ['8080:http,8080:grpc', /port 8080 is listed twice/],
    ] as const) {
      assert.throws(() => parsePorts(spec), (e: unknown) => e instanceof EchoError && e.code === 'ERR_ECHO_BAD_PORTS' && re.test(e.message), spec);
    }
  });
});
