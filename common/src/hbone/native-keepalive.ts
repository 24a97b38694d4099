import type { NativeHboneSession } from './native-session.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import { HBONE_KEEPALIVE_INTERVAL_MS, HBONE_KEEPALIVE_TIMEOUT_MS } from './settings.ts';

/**
 * keepalive.ts for native sessions: a PING every interval; a session whose PING goes unanswered for the timeout
 * is destroyed, so a dead peer does not hold tunnels open. The timer does not keep the process alive.
 */
export function startNativeKeepalive(session: NativeHboneSession, opts: KeepaliveOptions = {}): void {
  const intervalMs = opts.intervalMs ?? HBONE_KEEPALIVE_INTERVAL_MS;
  const timeoutMs = opts.timeoutMs ?? HBONE_KEEPALIVE_TIMEOUT_MS;
  let outstandingSince: number | undefined;
  const timer = setInterval(() => {
    if (session.isClosed) {
      clearInterval(timer);
      return;
    }
    const now = Date.now();
    if (outstandingSince !== undefined) {
      if (now - outstandingSince >= timeoutMs) {
        clearInterval(timer);
        session.destroy(`HBONE keepalive: no PING ack for ${timeoutMs} ms`);
      }
      return;
    }
    outstandingSince = now;
    session.ping().then(
      () => {
        outstandingSince = undefined;
      },
      () => {},
    );
  }, intervalMs);
  timer.unref();
  void session.closed().then(() => clearInterval(timer));
}
