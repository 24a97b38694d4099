import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiServer } from '../src/local/apiserver/index.ts';

/** A raw HTTPS answer. */
export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json(): Record<string, unknown>;
}

/** One HTTPS request to the server, trusting its CA; `token: null` sends no Authorization header. */
export function raw(
  server: ApiServer,
  method: string,
  path: string,
  opts: { body?: string | Buffer; contentType?: string; token?: string | null; timeoutMs?: number } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== null) headers['authorization'] = `Bearer ${opts.token ?? server.token}`;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const req = request(`${server.url}${path}`, { method, headers, ca: server.caCertPem, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A KubeConfig for the server, as a client process would load it. */
export function kubeConfigFor(server: ApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  return kc;
}

/** Waits until `check` returns true, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
