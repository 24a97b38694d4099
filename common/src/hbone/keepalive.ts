import type { Http2Session } from 'node:http2';
import { HBONE_KEEPALIVE_INTERVAL_MS, HBONE_KEEPALIVE_TIMEOUT_MS } from './settings.ts';

export interface KeepaliveOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

/** What keepalive needs of a session, node:http2 or native. */
export interface KeepalivePeer {
  isClosed(): boolean;
  /** Sends a PING; resolves on its ack. False when it could not be sent. */
  ping(): Promise<void> | false;
  destroy(reason: string): void;
  onClose(listener: () => void): void;
}

/**
 * Sends an HTTP/2 PING every interval and destroys the session when one goes unanswered for the timeout, so a
 * dead peer does not hold tunnels open forever. The timer does not keep the process alive.
 */
export function runKeepalive(peer: KeepalivePeer, opts: KeepaliveOptions = {}): void {
  const intervalMs = opts.intervalMs ?? HBONE_KEEPALIVE_INTERVAL_MS;
  const timeoutMs = opts.timeoutMs ?? HBONE_KEEPALIVE_TIMEOUT_MS;
  let outstandingSince: number | undefined;
  const timer = setInterval(() => {
    if (peer.isClosed()) {
      clearInterval(timer);
      return;
    }
    const now = Date.now();
    if (outstandingSince !== undefined) {
      if (now - outstandingSince >= timeoutMs) {
        clearInterval(timer);
        peer.destroy(`HBONE keepalive: no PING ack for ${timeoutMs} ms`);
      }
      return;
    }
    outstandingSince = now;
    const acked = peer.ping();
    if (acked === false) {
      outstandingSince = undefined;
      return;
    }
    acked.then(
      () => (outstandingSince = undefined),
      () => {},
    );
  }, intervalMs);
  timer.unref();
  peer.onClose(() => clearInterval(timer));
}

/** runKeepalive on a node:http2 session. */
export function startKeepalive(session: Http2Session, opts: KeepaliveOptions = {}): void {
  runKeepalive(
    {
      isClosed: () => session.destroyed || session.closed,
      ping: () => {
        let resolve!: () => void;
        const acked = new Promise<void>((r) => (resolve = r));
        const sent = session.ping((err) => {
          if (!err) resolve();
        });
        return sent ? acked : false;
      },
      destroy: (reason) => session.destroy(new Error(reason)),
      onClose: (listener) => void session.once('close', listener),
    },
    opts,
  );
}
