import type { NativeHboneSession } from './native-session.ts';
import { runKeepalive } from './keepalive.ts';
import type { KeepaliveOptions } from './keepalive.ts';

/** keepalive.ts's PINGs on a native session. */
export function startNativeKeepalive(session: NativeHboneSession, opts: KeepaliveOptions = {}): void {
  runKeepalive(
    {
      isClosed: () => session.isClosed,
      ping: () => session.ping(),
      destroy: (reason) => session.destroy(reason),
      onClose: (listener) => void session.closed().then(listener),
    },
    opts,
  );
}
