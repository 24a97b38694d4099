// One ztunnel connection on the ZDS server: Hello first, then strict request → ack lock-step with a deadline
// per message (reference §3.3). Errors close the connection (ztunnel reconnects).
import { EventEmitter } from 'node:events';
import { MeshError, errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { closeFd } from '@mesh/common/net';
import type { SeqpacketMessage, SeqpacketSocket } from '@mesh/common/net';
import type { ProtoCodec } from '@mesh/common/proto';

export type ZdsErrorCode = 'ERR_ZDS_PROTOCOL' | 'ERR_ZDS_TIMEOUT' | 'ERR_ZDS_NACK' | 'ERR_ZDS_CLOSED' | 'ERR_ZDS_NOT_CONNECTED';
export class ZdsError extends MeshError<ZdsErrorCode> {}

export const ZDS_DEADLINE_MS = 5000;

/** istio.workload.zds.WorkloadRequest in the codec's input shape (one payload set). */
export interface WorkloadRequest {
  readonly add?: { uid: string; workload_info: { name: string; namespace: string; service_account: string } };
  readonly del?: { uid: string };
  readonly keep?: { uid: string };
  readonly snapshot_sent?: Record<string, never>;
}
const HELLO = 'istio.workload.zds.ZdsHello';
const REQUEST = 'istio.workload.zds.WorkloadRequest';
const RESPONSE = 'istio.workload.zds.WorkloadResponse';

interface Waiter {
  resolve: (m: SeqpacketMessage) => void;
  reject: (e: Error) => void;
}

/** Events: 'close' (Error | undefined). */
export class ZdsConnection extends EventEmitter {
  readonly id: number;
  readonly #socket: SeqpacketSocket;
  readonly #codec: ProtoCodec;
  readonly #log: Logger;
  readonly #deadlineMs: number;
  #waiter: Waiter | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closeError: Error | undefined;

  constructor(id: number, socket: SeqpacketSocket, codec: ProtoCodec, log: Logger, deadlineMs = ZDS_DEADLINE_MS) {
    super();
    this.id = id;
    this.#socket = socket;
    this.#codec = codec;
    this.#log = log;
    this.#deadlineMs = deadlineMs;
    socket.on('message', (m: SeqpacketMessage) => this.#onMessage(m));
    socket.on('error', (err: Error) => this.#fail(err));
    socket.on('close', () => this.#fail(undefined));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Waits for ZdsHello{version: V1}. */
  async handshake(): Promise<void> {
    const msg = await this.#next('ZdsHello');
    let hello: { version?: unknown };
    try {
      hello = this.#codec.decode(HELLO, msg.data);
    } catch (err) {
      throw this.#protocol(`first message is not a ZdsHello: ${errorMessage(err)}`);
    }
    if (hello.version !== 'V1' && hello.version !== 1) throw this.#protocol(`unsupported ZDS version ${String(hello.version)} (want V1)`);
  }

  /** Sends one request (with at most one fd) and waits for its ack; NACK rejects with ERR_ZDS_NACK. */
  request(req: WorkloadRequest, fds: readonly number[] = []): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) throw new ZdsError('ERR_ZDS_CLOSED', `ZDS connection ${this.id} is closed`);
      const send = this.#socket.send(this.#codec.encode(REQUEST, req), fds);
      const reply = this.#next(`ack of ${req.add ? 'add' : req.del ? 'del' : req.keep ? 'keep' : 'snapshot_sent'}`);
      await send;
      const msg = await reply;
      let resp: { ack?: { error?: string } | null };
      try {
        resp = this.#codec.decode(RESPONSE, msg.data);
      } catch (err) {
        throw this.#protocol(`reply is not a WorkloadResponse: ${errorMessage(err)}`);
      }
      if (!resp.ack) throw this.#protocol('WorkloadResponse without ack');
      if (resp.ack.error) throw new ZdsError('ERR_ZDS_NACK', `ztunnel refused the request: ${resp.ack.error}`);
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  close(err?: Error): void {
    this.#fail(err);
  }

  #next(what: string): Promise<SeqpacketMessage> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise<SeqpacketMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new ZdsError('ERR_ZDS_TIMEOUT', `ztunnel sent no ${what} within ${this.#deadlineMs} ms`);
        this.#fail(err);
      }, this.#deadlineMs);
      this.#waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  #onMessage(m: SeqpacketMessage): void {
    for (const fd of m.fds) closeFd(fd); // ztunnel never sends fds; do not leak any
    const w = this.#waiter;
    this.#waiter = undefined;
    if (!w) {
      this.#fail(this.#protocol('unexpected message from ztunnel (no request outstanding)'));
      return;
    }
    w.resolve(m);
  }

  #protocol(msg: string): ZdsError {
    const err = new ZdsError('ERR_ZDS_PROTOCOL', msg);
    this.#fail(err);
    return err;
  }

  #closedError(): Error {
    return this.#closeError ?? new ZdsError('ERR_ZDS_CLOSED', `ZDS connection ${this.id} closed`);
  }

  #fail(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = err;
    if (err) this.#log.warn({ conn: this.id, err: err.message }, 'closing ZDS connection');
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#closedError());
    this.#socket.close();
    this.emit('close', err);
  }
}
