// The plugin event endpoint: HTTP over `<run dir>/pluginevent.sock`, `POST /cmdadd`.
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { CMDADD_PATH, parseCmdAdd, PLUGIN_EVENT_SOCKET } from '../event/cmdadd.ts';
import type { CmdAddEvent } from '../event/cmdadd.ts';

// node:http through getBuiltinModule, not an ESM import: importing it builds a namespace of all its exports,
// whose lazy WebSocket getter loads Node's whole fetch client (undici, ~14 MB resident) into this process.
const { createServer } = process.getBuiltinModule('node:http');

const MAX_BODY = 64 * 1024;

export interface PluginEventServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Serves cmdadd; `onAdd` resolving means 200, rejecting means 500 with the message (the pod's ADD fails). */
export async function startPluginEventServer(runDir: string, onAdd: (e: CmdAddEvent) => Promise<void>, log: Logger): Promise<PluginEventServer> {
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, PLUGIN_EVENT_SOCKET);
  rmSync(path, { force: true });
  const server: Server = createServer((req, res) => {
    const reply = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (req.url !== CMDADD_PATH) return void (req.resume(), reply(404, `unknown path ${req.url}; the agent serves POST ${CMDADD_PATH}`));
    if (req.method !== 'POST') return void (req.resume(), reply(405, `use POST for ${CMDADD_PATH}`));
    let body = '';
    let tooBig = false;
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_BODY) tooBig = true;
    });
    req.on('end', () => {
      if (tooBig) return reply(413, `cmdadd body larger than ${MAX_BODY} bytes`);
      let event: CmdAddEvent;
      try {
        event = parseCmdAdd(JSON.parse(body));
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'bad cmdadd event');
        return reply(400, `bad cmdadd event: ${errorMessage(err)}`);
      }
      onAdd(event).then(
        () => reply(200, 'ok'),
        (err: unknown) => {
          log.error({ pod: `${event.PodNamespace}/${event.PodName}`, err: errorMessage(err) }, 'cmdadd failed');
          reply(500, errorMessage(err));
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
