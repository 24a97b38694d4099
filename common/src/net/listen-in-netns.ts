// TCP listeners created inside a pod's netns. The addon creates, binds and listens on the socket while the
// thread is in the netns; Node then adopts the fd. (Calling Node's listen(port, host) after a setns would
// not work: the host form resolves asynchronously and the socket would land in whatever netns is current.)
import net from 'node:net';
import { native } from './native.ts';
import { checkFd, checkMark, checkOptInt, checkPort, checkString } from './validate.ts';

/** Options of listenInNetns. */
export interface ListenInNetnsOptions {
  /** Netns fd to listen in; omitted = the process's netns. The fd stays owned by the caller. */
  netnsFd?: number;
  /** IP literal to bind: '0.0.0.0', '::' (dual stack unless ipv6Only), '127.0.0.1', ... No DNS names. */
  host: string;
  /** Port; 0 picks a free one (read it from server.address()). */
  port: number;
  /** listen() backlog, default 511. */
  backlog?: number;
  /** IP_TRANSPARENT: accept connections to non-local addresses (TPROXY). */
  transparent?: boolean;
  /** IP_FREEBIND: bind an address that is not (yet) configured. */
  freebind?: boolean;
  /** SO_MARK (the in-pod rules use 1337 to recognise proxy sockets). Inherited by accepted sockets. */
  mark?: number;
  /** SO_REUSEPORT: let a new process bind alongside the old one during upgrades. */
  reusePort?: boolean;
  /** IPV6_V6ONLY for '::' binds; omitted = the system default (dual stack). */
  ipv6Only?: boolean;
  /** The server to listen with (e.g. an http2 or tls server); default a new net.Server. */
  server?: net.Server;
  /** Options for the new net.Server when `server` is omitted (e.g. allowHalfOpen, noDelay). */
  serverOptions?: net.ServerOpts;
}

/**
 * A listening server whose socket lives in the given netns (a socket keeps its netns for life). Resolves on
 * 'listening'; rejects with the addon's system error (EADDRINUSE naming bind(host:port), EINVAL naming
 * setns for a non-netns fd, ...). Connection handling is ordinary Node: `server.on('connection', ...)`.
 */
export async function listenInNetns(opts: ListenInNetnsOptions): Promise<net.Server> {
  const fn = 'listenInNetns';
  const fd = native().tcpListen({
    netnsFd: opts.netnsFd === undefined ? undefined : checkFd(fn, 'netnsFd', opts.netnsFd),
    host: checkString(fn, 'host', opts.host),
    port: checkPort(fn, 'port', opts.port, true),
    backlog: checkOptInt(fn, 'backlog', opts.backlog, 1, 65535),
    transparent: opts.transparent,
    freebind: opts.freebind,
    mark: opts.mark === undefined ? undefined : checkMark(fn, opts.mark),
    reusePort: opts.reusePort,
    ipv6Only: opts.ipv6Only,
  });
  const server = opts.server ?? net.createServer(opts.serverOptions ?? {});
  return new Promise<net.Server>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      // If Node never took the fd over, it is still ours to close.
      if (!server.listening) tryClose(fd);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ fd, backlog: opts.backlog });
  });
}

function tryClose(fd: number): void {
  try {
    native().closeFd(fd);
  } catch {
    // Already closed by Node's handle: nothing left to release.
  }
}
