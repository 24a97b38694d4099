// Outbound TCP connections created inside a pod's netns.
//
// How completion is detected: the addon starts a non-blocking connect() (EINPROGRESS) and returns the fd.
// A libuv poll watcher (FdWatcher) waits for the fd to become writable, which is when the kernel has
// finished the handshake either way; SO_ERROR then says whether it succeeded (0) or why it failed
// (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ...). Only a connected socket is handed to net.Socket, after the
// watcher is closed, so Node never sees a half-open fd and errors surface as ordinary rejected promises.
import net from 'node:net';
import { NetError, NetErrorCode } from './errors.ts';
import { native, PollEvent } from './native.ts';
import type { NativeFdWatcher } from './native.ts';
import { checkFd, checkInt, checkMark, checkOptInt, checkPort, checkString } from './validate.ts';

/** Options of connectInNetns. */
export interface ConnectInNetnsOptions {
  /** Netns fd to connect from; omitted = the process's netns. The fd stays owned by the caller. */
  netnsFd?: number;
  /** Destination IP literal. */
  host: string;
  /** Destination port. */
  port: number;
  /** Source IP to bind (with transparent: a non-local client IP to preserve the source). */
  localHost?: string;
  /** Source port; default picked by the kernel. */
  localPort?: number;
  /** IP_TRANSPARENT: allows binding a non-local localHost. */
  transparent?: boolean;
  /** IP_FREEBIND. */
  freebind?: boolean;
  /** SO_MARK. */
  mark?: number;
  /** Give up after this many ms (ERR_NET_CONNECT_TIMEOUT); default 10 000. */
  timeoutMs?: number;
  /** Aborts the attempt (ERR_NET_ABORTED). */
  signal?: AbortSignal;
  /** Passed to net.Socket: keep the writable side open after the peer's FIN (tunnels need this). */
  allowHalfOpen?: boolean;
  /** TCP_NODELAY; default true, as proxies set it (Envoy, ztunnel): a proxy writes what it has when it has it,
   * and Nagle's wait for an ACK would add the peer's delayed-ACK time to small writes. */
  noDelay?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** A connected net.Socket whose socket lives in the given netns. Rejects with ECONNREFUSED etc. */
export function connectInNetns(opts: ConnectInNetnsOptions): Promise<net.Socket> {
  const fn = 'connectInNetns';
  const timeoutMs = checkInt(fn, 'timeoutMs', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, 2 ** 31 - 1);
  if (opts.signal?.aborted === true) {
    return Promise.reject(new NetError(NetErrorCode.Aborted, `${fn}: aborted before connecting`));
  }
  const addon = native();
  let fd: number;
  try {
    fd = addon.tcpConnect({
      netnsFd: opts.netnsFd === undefined ? undefined : checkFd(fn, 'netnsFd', opts.netnsFd),
      host: checkString(fn, 'host', opts.host),
      port: checkPort(fn, 'port', opts.port, false),
      localHost: opts.localHost === undefined ? undefined : checkString(fn, 'localHost', opts.localHost),
      localPort: checkOptInt(fn, 'localPort', opts.localPort, 0, 65535),
      transparent: opts.transparent,
      freebind: opts.freebind,
      mark: opts.mark === undefined ? undefined : checkMark(fn, opts.mark),
    });
  } catch (err) {
    return Promise.reject(err);
  }

  return new Promise<net.Socket>((resolve, reject) => {
    let watcher: NativeFdWatcher | undefined;
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      watcher?.close();
      watcher = undefined;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err !== null) {
        addon.closeFd(fd);
        reject(err);
        return;
      }
      try {
        const socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: opts.allowHalfOpen ?? false });
        socket.setNoDelay(opts.noDelay ?? true);
        resolve(socket);
      } catch (adoptErr) {
        addon.closeFd(fd);
        reject(adoptErr as Error);
      }
    };
    const onAbort = (): void => finish(new NetError(NetErrorCode.Aborted, `${fn}: aborted while connecting to ${opts.host}:${opts.port}`));
    const timer = setTimeout(
      () => finish(new NetError(NetErrorCode.ConnectTimeout, `${fn}: connect to ${opts.host}:${opts.port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      watcher = new addon.FdWatcher(fd, (status) => {
        if (watcher === undefined) return;
        // A failed connect raises POLLERR, which libuv reports as status EBADF: SO_ERROR has the real cause.
        let soError: Error | null;
        try {
          soError = addon.getSocketError(fd);
        } catch (err) {
          soError = err as Error;
        }
        if (soError === null && status !== '') {
          soError = new NetError(NetErrorCode.Closed, `${fn}: polling the connecting socket failed: ${status}`);
        }
        finish(soError);
      });
      watcher.start(PollEvent.Writable);
    } catch (err) {
      finish(err as Error);
    }
  });
}
