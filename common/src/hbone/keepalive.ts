import type { Http2Session } from 'node:http2';
import { HBONE_KEEPALIVE_INTERVAL_MS, HBONE_KEEPALIVE_TIMEOUT_MS } from './settings.ts';

export interface KeepaliveOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Sends an HTTP/2 PING every interval and destroys the session when one goes unanswered for the timeout, so a
 * dead peer does not hold tunnels open forever. The timer does not keep the process alive.
 */
export function startKeepalive(session: Http2Session, opts: KeepaliveOptions = {}): void {
  const intervalMs = opts.intervalMs ?? HBONE_KEEPALIVE_INTERVAL_MS;
  const timeoutMs = opts.timeoutMs ?? HBONE_KEEPALIVE_TIMEOUT_MS;
  let outstandingSince: number | undefined;
  const timer = setInterval(() => {
    if (session.destroyed || session.closed) {
      clearInterval(timer);
      return;
    }
    const now = Date.now();
    if (outstandingSince !== undefined) {
      if (now - outstandingSince >= timeoutMs) {
        clearInterval(timer);
        session.destroy(new Error(`HBONE keepalive: no PING ack for ${timeoutMs} ms`));
      }
      return;
    }
    outstandingSince = now;
    const sent = session.ping((err) => {
      if (!err) outstandingSince = undefined;
    });
    if (!sent) outstandingSince = undefined;
  }, intervalMs);
  timer.unref();
  session.once('close', () => clearInterval(timer));
}
