// A listening Unix SOCK_SEQPACKET socket (the ZDS server side, run by the node agent).
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { native, PollEvent } from './native.ts';
import type { NativeFdWatcher } from './native.ts';
import { SeqpacketSocket } from './seqpacket-socket.ts';
import type { SeqpacketSocketOptions } from './seqpacket-socket.ts';
import { checkString } from './validate.ts';

/** Options of SeqpacketServer.listen. */
export interface SeqpacketServerOptions {
  /** listen() backlog, default 128. */
  backlog?: number;
  /** Options for each accepted socket. */
  socketOptions?: SeqpacketSocketOptions;
}

/**
 * Events: 'connection' (SeqpacketSocket), 'error' (Error; the server then closes), 'close'.
 * The socket file is removed on close (like net.Server for Unix paths); a stale file from a previous run
 * makes listen fail with EADDRINUSE, so callers decide whether to remove it first.
 */
export class SeqpacketServer extends EventEmitter {
  readonly #fd: number;
  readonly #path: string;
  readonly #socketOptions: SeqpacketSocketOptions;
  #watcher: NativeFdWatcher | undefined;
  #closed = false;

  /** Binds and listens on `path` (a NUL-prefixed path is an abstract socket). */
  static listen(path: string, opts: SeqpacketServerOptions = {}): SeqpacketServer {
    checkString('SeqpacketServer.listen', 'path', path);
    return new SeqpacketServer(native().seqpacketListen(path, opts.backlog), path, opts.socketOptions ?? {});
  }

  private constructor(fd: number, path: string, socketOptions: SeqpacketSocketOptions) {
    super();
    this.#fd = fd;
    this.#path = path;
    this.#socketOptions = socketOptions;
    this.#watcher = new (native().FdWatcher)(fd, (status) => this.#onReadable(status));
    this.#watcher.start(PollEvent.Readable);
  }

  /** The bound path. */
  get path(): string {
    return this.#path;
  }

  /** Stops accepting, closes the socket and removes the socket file. Open connections stay open. */
  close(): void {
    this.#shutdown(undefined);
  }

  /** Lets the process exit while the server is open. */
  unref(): this {
    this.#watcher?.unref();
    return this;
  }

  #onReadable(status: string): void {
    if (this.#closed) return;
    if (status !== '') {
      this.#shutdown(new Error(`SeqpacketServer: polling ${this.#path} failed: ${status}`));
      return;
    }
    for (;;) {
      let conn: number | null;
      try {
        conn = native().seqpacketAccept(this.#fd);
      } catch (err) {
        // EMFILE and friends: report, keep listening; the pending connection stays queued.
        this.emit('error', err);
        return;
      }
      if (conn === null) return;
      let socket: SeqpacketSocket;
      try {
        socket = new SeqpacketSocket(conn, this.#socketOptions);
      } catch (err) {
        native().closeFd(conn);
        this.emit('error', err);
        continue;
      }
      this.emit('connection', socket);
      if (this.#closed) return;
    }
  }

  #shutdown(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    native().closeFd(this.#fd);
    if (!this.#path.startsWith('\0')) rmSync(this.#path, { force: true });
    process.nextTick(() => {
      if (err !== undefined) this.emit('error', err);
      this.emit('close');
    });
  }
}
