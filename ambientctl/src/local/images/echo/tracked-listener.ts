// A TCP listener that knows its open connections, so each port can drain: stop accepting, wait for the
// connections to finish, or destroy them at the deadline.
import { createServer, type Server, type Socket } from 'node:net';

/** Listens on one TCP port and hands every connection to `onConnection`. */
export class TrackedListener {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #idleWaiters: (() => void)[] = [];

  constructor(onConnection: (socket: Socket) => void, options: { allowHalfOpen?: boolean } = {}) {
    this.#server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        if (this.#sockets.size === 0) this.#wakeIdle();
      });
      // A peer reset is routine for an echo server; without a listener it would crash the process.
      socket.on('error', () => socket.destroy());
      onConnection(socket);
    });
  }

  /** Binds `host:port` (no host: every address, IPv6 and IPv4 when available) and returns the bound port. */
  listen(port: number, host: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`cannot listen on ${host ?? '*'}:${port}: ${err.message}`, { cause: err }));
      this.#server.once('error', onError);
      this.#server.listen({ port, ...(host === undefined ? {} : { host }) }, () => {
        this.#server.off('error', onError);
        const addr = this.#server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  /** Open connections right now. */
  get connections(): ReadonlySet<Socket> {
    return this.#sockets;
  }

  /** Stops accepting; existing connections stay. */
  stopAccepting(): void {
    if (this.#server.listening) this.#server.close();
  }

  /** Resolves once no connection is open. */
  whenIdle(): Promise<void> {
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops accepting and destroys every connection. */
  destroyAll(): void {
    this.stopAccepting();
    for (const socket of this.#sockets) socket.destroy();
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
