// The daemon's control API: HTTP over D/run/daemon.sock, used by `status`, `restart`, `stop` and `start`.
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '@mesh/common/errors';
import { LocalError } from '../cluster/run.ts';

export interface ControlHandlers {
  status(): Promise<unknown>;
  restart(component: string): Promise<void>;
  stop(component: string): Promise<void>;
  start(component: string): Promise<void>;
}

export async function startControlServer(path: string, h: ControlHandlers): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://unix');
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      try {
        if (req.method === 'GET' && url.pathname === '/status') return reply(200, await h.status());
        const action = url.pathname.slice(1);
        if (req.method === 'POST' && (action === 'restart' || action === 'stop' || action === 'start')) {
          const component = url.searchParams.get('component') ?? '';
          await h[action](component);
          return reply(200, { [action]: component });
        }
        reply(404, { error: `no route ${req.method} ${url.pathname}` });
      } catch (err) {
        reply(400, { error: errorMessage(err) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return server;
}

/** One call to a running daemon; rejects with ERR_LOCAL_NOT_RUNNING when nothing listens. */
export function callDaemon(path: string, method: string, url: string, timeoutMs = 30_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, method, path: url, timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const body = JSON.parse(text || '{}') as { error?: string };
        if ((res.statusCode ?? 500) >= 300) reject(new LocalError('ERR_LOCAL_BAD_INPUT', body.error ?? `daemon answered ${res.statusCode}`));
        else resolve(body);
      });
    });
    req.on('timeout', () => req.destroy(new LocalError('ERR_LOCAL_TIMEOUT', `daemon did not answer ${method} ${url} within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new LocalError('ERR_LOCAL_NOT_RUNNING', `no local cluster daemon at ${path}`));
      else reject(err);
    });
    req.end();
  });
}
