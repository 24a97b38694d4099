// Arguments of client mode: `main.ts client <url> [--count N] [--header K:V]… [--timeout ms] [--message text]
// [--method M] [--http2]`. URL schemes: http:// (HTTP/1.1, or HTTP/2 with --http2), h2c:// (HTTP/2 prior
// knowledge), grpc:// (the Echo method), tcp:// (send a line, print what comes back).
import { parseArgs } from 'node:util';
import { EchoError } from './echo-error.ts';

/** The protocol the client speaks. */
export type ClientProtocol = 'http1' | 'http2' | 'grpc' | 'tcp';

/** Parsed client options. */
export interface ClientOptions {
  readonly url: URL;
  readonly protocol: ClientProtocol;
  readonly count: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly timeoutMs: number;
  readonly message: string;
  readonly method: string;
}

export const DEFAULT_CLIENT_TIMEOUT_MS = 5_000;

function positiveInt(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new EchoError('ERR_ECHO_BAD_ARGS', `${flag} ${text}: expected an integer 1-${max}`);
  return n;
}

function header(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon).trim();
  if (name === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new EchoError('ERR_ECHO_BAD_ARGS', `--header ${text}: expected Name:value`);
  }
  return [name, text.slice(colon + 1).trim()];
}

function protocolOf(url: URL, http2: boolean): ClientProtocol {
  switch (url.protocol) {
    case 'http:':
      return http2 ? 'http2' : 'http1';
    case 'h2c:':
      return 'http2';
    case 'grpc:':
      return 'grpc';
    case 'tcp:':
      return 'tcp';
    default:
      throw new EchoError('ERR_ECHO_BAD_URL', `${url.href}: unsupported scheme ${url.protocol} (use http, h2c, grpc or tcp)`);
  }
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new EchoError('ERR_ECHO_BAD_ARGS', `client: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses the arguments after `client`. */
export function parseClientArgs(args: readonly string[]): ClientOptions {
  const { values, positionals } = parse(args);
  if (positionals.length !== 1) throw new EchoError('ERR_ECHO_BAD_ARGS', `client: expected one URL, got ${positionals.length}`);
  let url: URL;
  try {
    url = new URL(positionals[0]!);
  } catch {
    throw new EchoError('ERR_ECHO_BAD_URL', `client: "${positionals[0]}" is not a URL (e.g. http://echo.demo:8080/)`);
  }
  const protocol = protocolOf(url, values.http2 ?? false);
  if (url.port === '' && (protocol === 'grpc' || protocol === 'tcp')) {
    throw new EchoError('ERR_ECHO_BAD_URL', `${url.href}: ${protocol} URLs need a port`);
  }
  return {
    url,
    protocol,
    count: values.count === undefined ? 1 : positiveInt(values.count, '--count', 1_000_000),
    headers: (values.header ?? []).map(header),
    timeoutMs: values.timeout === undefined ? DEFAULT_CLIENT_TIMEOUT_MS : positiveInt(values.timeout, '--timeout', 3_600_000),
    message: values.message ?? 'hello',
    method: (values.method ?? 'GET').toUpperCase(),
  };
}

const OPTIONS = {
  count: { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  message: { type: 'string' },
  method: { type: 'string' },
  http2: { type: 'boolean' },
} as const;
