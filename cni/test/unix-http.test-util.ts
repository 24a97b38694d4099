// One HTTP request over a unix socket (the node agent's plugin event endpoint), for tests.
import { request } from 'node:http';

/** Sends `body` with `method` to `path` on the server at `socketPath`; resolves with the status and the text. */
export function unixHttp(socketPath: string, method: string, path: string, body = '', timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
