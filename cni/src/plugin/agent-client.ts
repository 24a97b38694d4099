// POST /cmdadd to the node agent over its unix socket, with a deadline.
import { join } from 'node:path';
import { CMDADD_PATH, PLUGIN_EVENT_SOCKET } from '../event/cmdadd.ts';
import type { CmdAddEvent } from '../event/cmdadd.ts';
import { CniCode, CniError } from './cni-error.ts';

// node:http through getBuiltinModule, not an ESM import: importing it builds a namespace of all its exports,
// whose lazy WebSocket getter loads Node's whole fetch client (undici, ~14 MB resident) into this process.
const { request } = process.getBuiltinModule('node:http');

export const AGENT_TIMEOUT_MS = 5000;

/** Sends the event; resolves on 200, throws CniError otherwise. */
export function postCmdAdd(runDir: string, event: CmdAddEvent, timeoutMs = AGENT_TIMEOUT_MS): Promise<void> {
  const socketPath = join(runDir, PLUGIN_EVENT_SOCKET);
  const body = JSON.stringify(event);
  return new Promise<void>((resolve, reject) => {
    const req = request(
      { socketPath, path: CMDADD_PATH, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode === 200) resolve();
          else reject(new CniError(CniCode.AgentRefused, `node agent refused pod ${event.PodNamespace}/${event.PodName}: HTTP ${res.statusCode}`, text.trim()));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new CniError(CniCode.TryAgainLater, `node agent at ${socketPath} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new CniError(CniCode.TryAgainLater, `cannot reach the node agent at ${socketPath}: ${err.message}`));
    });
    req.end(body);
  });
}
