import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CLIENT_TIMEOUT_MS, parseClientArgs } from './client-args.ts';
import { EchoError } from './echo-error.ts';

describe('echo client arguments', () => {
  it('picks the protocol from the scheme and --http2', () => {
    const cases: [string[], string][] = [
      [['http://a:8080/'], 'http1'],
      [['http://a:8080/', '--http2'], 'http2'],
      [['h2c://a:8080/'], 'http2'],
      [['grpc://a:9090'], 'grpc'],
      [['tcp://a:9000'], 'tcp'],
    ];
    for (const [args, protocol] of cases) assert.equal(parseClientArgs(args).protocol, protocol, args.join(' '));
  });

  it('reads count, headers, timeout, message and method', () => {
    const o = parseClientArgs(['http://a/', '--count', '3', '--header', 'X-A: 1', '--header', 'x-b:2:3', '--timeout', '750', '--message', 'hi', '--method', 'post']);
    assert.equal(o.count, 3);
    assert.deepEqual(o.headers, [
      ['X-A', '1'],
      ['x-b', '2:3'],
    ]);
    assert.equal(o.timeoutMs, 750);
    assert.equal(o.message, 'hi');
    assert.equal(o.method, 'POST');
    const d = parseClientArgs(['http://a/']);
    assert.equal(d.count, 1);
    assert.equal(d.timeoutMs, DEFAULT_CLIENT_TIMEOUT_MS);
  });

  it('names what is wrong', () => {
    for (const [args, code, re] of [
      [[], 'ERR_ECHO_BAD_ARGS', /expected one URL, got 0/],
      [['not a url'], 'ERR_ECHO_BAD_URL', /"not a url" is not a URL/],
      [['ftp://a/'], 'ERR_ECHO_BAD_URL', /unsupported scheme ftp:/],
      [['tcp://a'], 'ERR_ECHO_BAD_URL', /tcp URLs need a port/],
      [['http://a/', '--count', '0'], 'ERR_ECHO_BAD_ARGS', /--count 0/],
      [['http://a/', '--header', 'nocolon'], 'ERR_ECHO_BAD_ARGS', /--header nocolon/],
      [['http://a/', '--bogus'], 'ERR_ECHO_BAD_ARGS', /bogus/],
    ] as const) {
      assert.throws(() => parseClientArgs(args), (e: unknown) => e instanceof EchoError && e.code === code && re.test(e.message), args.join(' '));
    }
  });
});
