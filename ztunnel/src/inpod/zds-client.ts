// The ZDS client (reference §3.3): connects to the node agent's SEQPACKET socket, says Hello, then handles
// WorkloadRequests one at a time (add with the pod's netns fd, keep, snapshot_sent, del), answering each with
// an Ack whose error is empty on success. A message that does not decode, an add without exactly one netns
// fd, or a handler failure gets an Ack with the reason; the connection stays up. Reconnects with backoff
// (10 ms doubling to 15 s) when the agent goes away.
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { SeqpacketSocket, closeFd, isNetns } from '@mesh/common/net';
import type { SeqpacketMessage } from '@mesh/common/net';
import type { ProtoCodec } from '@mesh/common/proto';
import { Backoff } from '@mesh/common/xds';

/** What a pod add carries. */
export interface ZdsWorkload {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** What the client drives; each call's rejection becomes the Ack error. */
export interface ZdsHandler {
  /** Starts the pod's proxies; takes ownership of `netnsFd`. */
  add(w: ZdsWorkload, netnsFd: number): Promise<void>;
  /** Stops (drains) the pod's proxies. Unknown uids are fine. */
  del(uid: string): Promise<void>;
  /** After a snapshot: every pod not in `present` is removed. */
  reconcile(present: ReadonlySet<string>): Promise<void>;
  /** The connection came up (false) or went down (true): readiness goes false while disconnected. */
  connected(up: boolean): void;
  /** First snapshot of a connection fully handled. */
  snapshotDone(): void;
}

const MAX_MESSAGE = 1024;

interface WorkloadRequest {
  payload?: 'add' | 'del' | 'snapshot_sent' | 'keep';
  add?: { uid: string; workload_info?: { name: string; namespace: string; service_account: string } | null } | null;
  del?: { uid: string } | null;
  keep?: { uid: string } | null;
}

export class ZdsClient {
  readonly #path: string;
  readonly #codec: ProtoCodec;
  readonly #handler: ZdsHandler;
  readonly #log: Logger;
  readonly #backoff = new Backoff({ initialMs: 10, maxMs: 15_000 });
  #socket: SeqpacketSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #present = new Set<string>();
  #inSnapshot = true;

  constructor(path: string, codec: ProtoCodec, handler: ZdsHandler, log: Logger) {
    this.#path = path;
    this.#codec = codec;
    this.#handler = handler;
    this.#log = log;
  }

  start(): void {
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.close();
  }

  #connect(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    let sock: SeqpacketSocket;
    try {
      sock = SeqpacketSocket.connect(this.#path, { maxMessageSize: MAX_MESSAGE, maxFds: 1 });
    } catch (err) {
      this.#retry(`cannot connect to ${this.#path}: ${errorMessage(err)}`);
      return;
    }
    this.#socket = sock;
    this.#present = new Set();
    this.#inSnapshot = true;
    sock.on('message', (m: SeqpacketMessage) => {
      this.#chain = this.#chain.then(() => this.#onMessage(sock, m));
    });
    sock.on('error', (err: Error) => this.#log.warn({ path: this.#path }, `ZDS connection error: ${err.message}`));
    sock.once('close', () => {
      if (this.#socket === sock) this.#socket = undefined;
      this.#handler.connected(false);
      this.#retry('node agent closed the ZDS connection');
    });
    this.#log.info({ path: this.#path }, 'connected to the node agent');
    this.#handler.connected(true);
    sock.send(this.#codec.encode('istio.workload.zds.ZdsHello', { version: 'V1' })).catch((err: unknown) => {
      this.#log.warn({}, `ZDS hello failed: ${errorMessage(err)}`);
    });
  }

  #retry(reason: string): void {
    if (this.#closed || this.#timer) return;
    const delay = this.#backoff.next();
    this.#log.info({ delayMs: delay }, `${reason}; reconnecting`);
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  async #onMessage(sock: SeqpacketSocket, m: SeqpacketMessage): Promise<void> {
    let error = '';
    try {
      error = await this.#handle(m);
    } catch (err) {
      error = errorMessage(err);
    }
    if (error !== '') this.#log.warn({}, `ZDS request refused: ${error}`);
    else this.#backoff.reset();
    if (sock.closed) return;
    await sock.send(this.#codec.encode('istio.workload.zds.WorkloadResponse', { ack: { error } })).catch((err: unknown) => {
      this.#log.warn({}, `ZDS ack failed: ${errorMessage(err)}`);
    });
  }

  /** Handles one request; returns the Ack error ('' = ok). Every received fd is closed or handed over. */
  async #handle(m: SeqpacketMessage): Promise<string> {
    let req: WorkloadRequest;
    try {
      req = this.#codec.decode<WorkloadRequest>('istio.workload.zds.WorkloadRequest', m.data);
    } catch (err) {
      closeAll(m.fds);
      return `WorkloadRequest does not decode (${m.data.length} bytes): ${errorMessage(err)}`;
    }
    switch (req.payload) {
      case 'add': {
        const add = req.add;
        const uid = add?.uid ?? '';
        if (uid === '') return closeAll(m.fds, 'add without a uid');
        if (m.fds.length !== 1) return closeAll(m.fds, `add ${uid}: expected exactly one netns fd, got ${m.fds.length}`);
        const fd = m.fds[0] as number;
        let ok = false;
        try {
          ok = isNetns(fd);
        } catch {
          ok = false;
        }
        if (!ok) return closeAll(m.fds, `add ${uid}: fd is not a network namespace`);
        const info = add?.workload_info;
        if (!info || !info.namespace) return closeAll(m.fds, `add ${uid}: workload_info with a namespace is required`);
        this.#present.add(uid);
        await this.#handler.add({ uid, name: info.name, namespace: info.namespace, serviceAccount: info.service_account || 'default' }, fd);
        return '';
      }
      case 'keep': {
        closeAll(m.fds);
        const uid = req.keep?.uid ?? '';
        if (uid === '') return 'keep without a uid';
        this.#present.add(uid);
        return '';
      }
      case 'snapshot_sent': {
        closeAll(m.fds);
        if (this.#inSnapshot) {
          this.#inSnapshot = false;
          await this.#handler.reconcile(this.#present);
          this.#handler.snapshotDone();
        }
        return '';
      }
      case 'del': {
        closeAll(m.fds);
        const uid = req.del?.uid ?? '';
        if (uid === '') return 'del without a uid';
        this.#present.delete(uid);
        await this.#handler.del(uid);
        return '';
      }
      default:
        return closeAll(m.fds, 'WorkloadRequest has no payload');
    }
  }
}

function closeAll(fds: readonly number[], reason = ''): string {
  for (const fd of fds) {
    try {
      closeFd(fd);
    } catch {
      // Nothing more to release.
    }
  }
  return reason;
}
