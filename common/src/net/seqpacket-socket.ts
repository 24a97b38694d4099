// A connected Unix SOCK_SEQPACKET socket (the ZDS transport): one datagram per message, boundaries kept,
// fds passed as SCM_RIGHTS. Readiness comes from a libuv poll watcher on the main loop, so waiting for a
// message neither blocks the thread nor polls on a timer.
import { EventEmitter } from 'node:events';
import { NetError, NetErrorCode } from './errors.ts';
import { native, PollEvent } from './native.ts';
import type { NativeFdWatcher } from './native.ts';
import { checkFd, checkInt, checkString } from './validate.ts';

/** One received message. The receiver owns `fds` and must close (or adopt) every one of them. */
export interface SeqpacketMessage {
  data: Buffer;
  fds: number[];
}

/** Options of SeqpacketSocket. */
export interface SeqpacketSocketOptions {
  /** Largest datagram accepted; a bigger one is an EMSGSIZE (MSG_TRUNC) error. Default 65536 (ZDS uses 1024). */
  maxMessageSize?: number;
  /** Most fds accepted in one message; more is an EMSGSIZE (MSG_CTRUNC) error. Default 16. */
  maxFds?: number;
}

interface PendingSend {
  data: Buffer;
  fds: readonly number[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Messages handled per readiness callback, so one busy peer cannot starve the event loop. */
const MAX_READS_PER_WAKEUP = 64;

/**
 * Events: 'message' (SeqpacketMessage), 'error' (Error; the socket then closes), 'close' (once).
 * Errors are fatal, as in ZDS: a truncated message or a failed send closes the connection.
 * The peer closing ends the socket with 'close' and no error.
 */
export class SeqpacketSocket extends EventEmitter {
  readonly #fd: number;
  readonly #maxLen: number;
  readonly #maxFds: number;
  #watcher: NativeFdWatcher | undefined;
  #queue: PendingSend[] = [];
  #closed = false;

  /** Connects to a listening SEQPACKET socket (Unix connects finish at once; EAGAIN = backlog full). */
  static connect(path: string, opts: SeqpacketSocketOptions = {}): SeqpacketSocket {
    return new SeqpacketSocket(native().seqpacketConnect(checkString('SeqpacketSocket.connect', 'path', path)), opts);
  }

  /** Wraps a connected SEQPACKET fd (non-blocking); the socket owns and closes it. */
  constructor(fd: number, opts: SeqpacketSocketOptions = {}) {
    super();
    this.#fd = checkFd('SeqpacketSocket', 'fd', fd);
    this.#maxLen = checkInt('SeqpacketSocket', 'maxMessageSize', opts.maxMessageSize ?? 65536, 1, 1 << 24);
    this.#maxFds = checkInt('SeqpacketSocket', 'maxFds', opts.maxFds ?? 16, 0, 253);
    this.#watcher = new (native().FdWatcher)(this.#fd, (status, events) => this.#onReady(status, events));
    this.#watcher.start(PollEvent.Readable);
  }

  /** The underlying fd (for diagnostics; do not close it directly). */
  get fd(): number {
    return this.#fd;
  }

  /** True once close() ran or the peer went away. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one datagram with optional fds. Resolves when the kernel took it: only then may the caller close
   * the fds it passed (the kernel holds its own references from that point).
   */
  send(data: Buffer, fds: readonly number[] = []): Promise<void> {
    if (!Buffer.isBuffer(data)) {
      return Promise.reject(new NetError(NetErrorCode.BadOption, 'SeqpacketSocket.send: data must be a Buffer'));
    }
    if (this.#closed) return Promise.reject(new NetError(NetErrorCode.Closed, 'SeqpacketSocket.send: socket is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ data, fds, resolve, reject });
      if (this.#queue.length === 1) this.#flush();
    });
  }

  /** Closes the socket; pending sends fail with ERR_NET_CLOSED. Emits 'close' once. Idempotent. */
  close(): void {
    this.#shutdown(undefined);
  }

  /** Lets the process exit while this socket is open. */
  unref(): this {
    this.#watcher?.unref();
    return this;
  }

  /** Undoes unref(). */
  ref(): this {
    this.#watcher?.ref();
    return this;
  }

  #onReady(status: string, events: number): void {
    if (this.#closed) return;
    if (status !== '') {
      // libuv reports POLLERR as EBADF; a read surfaces the socket's real error (or its end) first.
      this.#drain();
      this.#shutdown(new NetError(NetErrorCode.Closed, `SeqpacketSocket: polling fd ${this.#fd} failed: ${status}`));
      return;
    }
    if ((events & PollEvent.Writable) !== 0) this.#flush();
    if ((events & PollEvent.Readable) !== 0) this.#drain();
  }

  #drain(): void {
    for (let i = 0; i < MAX_READS_PER_WAKEUP && !this.#closed; i++) {
      let msg;
      try {
        msg = native().seqpacketRecv(this.#fd, this.#maxLen, this.#maxFds);
      } catch (err) {
        this.#shutdown(err as Error);
        return;
      }
      if (msg === null) return;
      if (msg.eof) {
        this.#shutdown(undefined);
        return;
      }
      this.emit('message', { data: msg.data, fds: msg.fds } satisfies SeqpacketMessage);
    }
  }

  #flush(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const head = this.#queue[0];
      if (head === undefined) return;
      let sent: boolean;
      try {
        sent = native().seqpacketSend(this.#fd, head.data, head.fds);
      } catch (err) {
        this.#shutdown(err as Error);
        return;
      }
      if (!sent) {
        // Buffer full: wake up when writable, keep reading meanwhile.
        this.#watcher?.start(PollEvent.Readable | PollEvent.Writable);
        return;
      }
      this.#queue.shift();
      head.resolve();
    }
    if (!this.#closed) this.#watcher?.start(PollEvent.Readable);
  }

  #shutdown(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    // The watcher must go before the fd: libuv tracks watchers by fd number.
    this.#watcher?.close();
    this.#watcher = undefined;
    try {
      native().closeFd(this.#fd);
    } catch {
      // Nothing more to release.
    }
    const pending = this.#queue;
    this.#queue = [];
    for (const p of pending) p.reject(err ?? new NetError(NetErrorCode.Closed, 'SeqpacketSocket: closed before the message was sent'));
    process.nextTick(() => {
      if (err !== undefined) this.emit('error', err);
      this.emit('close');
    });
  }
}
