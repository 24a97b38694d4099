// Answers one HTTP request (HTTP/1.1 or HTTP/2, through Node's compatibility API) with the echo lines.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { parseControls } from './controls.ts';
import { peerIp, requestLines } from './fields.ts';

/** The app-level facts every answer carries. */
export interface HttpEchoInfo {
  readonly serviceVersion: string;
  readonly servicePort: number;
  readonly hostname: string;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/** The request's headers as name/value pairs, without HTTP/2 pseudo-headers. */
function headerPairs(req: AnyRequest): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!name.startsWith(':')) pairs.push([name, req.rawHeaders[i + 1]!]);
  }
  return pairs;
}

function hostOf(req: AnyRequest): string {
  const authority = 'authority' in req ? req.authority : undefined;
  return authority || req.headers.host || '';
}

function reply(res: AnyResponse, status: number, body: string): void {
  // Both response classes have the same writeHead/end; TypeScript cannot call through their union.
  const r = res as ServerResponse;
  r.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  r.end(body);
}

/** Builds the request handler shared by the HTTP/1.1 and HTTP/2 servers of one port. */
export function createHttpHandler(info: HttpEchoInfo): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    // The body is not echoed, but it is read so the client can finish sending.
    req.resume();
    const url = req.url ?? '/';
    const controls = parseControls(url);
    if (!controls.ok) {
      reply(res, 400, `${controls.error}\n`);
      return;
    }
    const { status, delayMs } = controls.controls;
    const lines = requestLines(
      { ...info, ip: peerIp(req.socket?.remoteAddress) },
      {
        host: hostOf(req),
        method: req.method ?? '',
        url,
        proto: `HTTP/${req.httpVersion}`,
        statusCode: status,
        headers: headerPairs(req),
      },
    );
    const body = `${lines.join('\n')}\n`;
    const answer = (): void => {
      if (!res.writableEnded && !res.destroyed) reply(res, status, body);
    };
    if (delayMs === 0) answer();
    else {
      const timer = setTimeout(answer, delayMs);
      res.once('close', () => clearTimeout(timer));
    }
  };
}
