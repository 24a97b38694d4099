// The ZDS server (node agent side, reference §3.3): accepts ztunnel connections on a SEQPACKET socket,
// sends each a snapshot of enrolled pods with their netns fds, then incremental adds (newest connection) and
// dels (every connection).
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '@mesh/common/errors';
import type { Logger } from '@mesh/common/log';
import { closeFd, openNetns, SeqpacketServer } from '@mesh/common/net';
import type { SeqpacketSocket } from '@mesh/common/net';
import { ProtoCodec } from '@mesh/common/proto';
import { ZdsConnection, ZdsError, ZDS_DEADLINE_MS } from './zds-connection.ts';

/** A pod as ztunnel learns it. */
export interface ZdsWorkload {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Absent when the agent has no netns handle (sent as `keep`). */
  readonly netnsPath?: string;
}

/** ZDS receive buffers are 1024 bytes (ztunnel's and istio-cni's). */
const MAX_MESSAGE = 1024;

/** Events: 'connected' (ZdsConnection, the uids its snapshot added with an fd; after the snapshot was acked), 'disconnected' (no ready connection left). */
export class ZdsServer extends EventEmitter {
  readonly #server: SeqpacketServer;
  readonly #codec: ProtoCodec;
  readonly #log: Logger;
  readonly #snapshot: () => ZdsWorkload[] | Promise<ZdsWorkload[]>;
  readonly #deadlineMs: number;
  readonly #ready: ZdsConnection[] = [];
  readonly #all = new Set<ZdsConnection>();
  #nextId = 1;

  /**
   * Listens on `path` (a stale socket file from a previous run is removed). `snapshot` may wait (e.g. for the
   * first reconcile after a restart) so a reconnecting ztunnel never gets an empty snapshot by mistake.
   */
  static listen(path: string, snapshot: () => ZdsWorkload[] | Promise<ZdsWorkload[]>, log: Logger, deadlineMs = ZDS_DEADLINE_MS): ZdsServer {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    return new ZdsServer(SeqpacketServer.listen(path, { socketOptions: { maxMessageSize: MAX_MESSAGE, maxFds: 1 } }), snapshot, log, deadlineMs);
  }

  private constructor(server: SeqpacketServer, snapshot: () => ZdsWorkload[] | Promise<ZdsWorkload[]>, log: Logger, deadlineMs: number) {
    super();
    this.#server = server;
    this.#snapshot = snapshot;
    this.#log = log;
    this.#deadlineMs = deadlineMs;
    this.#codec = ProtoCodec.load(['istio/zds.proto']);
    server.on('connection', (s: SeqpacketSocket) => void this.#accept(s));
    server.on('error', (err: Error) => log.error({ err: err.message }, 'ZDS server error'));
  }

  /** True when a ztunnel is connected and has its snapshot. */
  get connected(): boolean {
    return this.#ready.length > 0;
  }

  /** Sends `add` with the pod's netns fd to the newest connection; throws ERR_ZDS_NOT_CONNECTED or the NACK. */
  async add(w: ZdsWorkload): Promise<void> {
    const conn = this.#ready.at(-1);
    if (!conn) throw new ZdsError('ERR_ZDS_NOT_CONNECTED', 'no ztunnel is connected to the ZDS socket');
    if (w.netnsPath === undefined) throw new ZdsError('ERR_ZDS_PROTOCOL', `pod ${w.namespace}/${w.name} has no netns to send`);
    await this.#addOn(conn, w, w.netnsPath);
  }

  /** Sends `del` to every connection; resolves when all answered (failures are logged). */
  async del(uid: string): Promise<void> {
    await Promise.all(
      this.#ready.map((c) => c.request({ del: { uid } }).catch((err: unknown) => this.#log.warn({ uid, conn: c.id, err: errorMessage(err) }, 'ZDS del failed'))),
    );
  }

  close(): void {
    this.#server.close();
    for (const c of this.#all) c.close();
  }

  async #addOn(conn: ZdsConnection, w: ZdsWorkload, netnsPath: string): Promise<void> {
    const fd = openNetns(netnsPath);
    try {
      await conn.request({ add: { uid: w.uid, workload_info: { name: w.name, namespace: w.namespace, service_account: w.serviceAccount } } }, [fd]);
    } finally {
      closeFd(fd);
    }
  }

  async #accept(socket: SeqpacketSocket): Promise<void> {
    const conn = new ZdsConnection(this.#nextId++, socket, this.#codec, this.#log, this.#deadlineMs);
    this.#all.add(conn);
    conn.on('close', () => {
      this.#all.delete(conn);
      const i = this.#ready.indexOf(conn);
      if (i >= 0) {
        this.#ready.splice(i, 1);
        this.#log.info({ conn: conn.id }, 'ztunnel disconnected');
        if (this.#ready.length === 0) this.emit('disconnected');
      }
    });
    try {
      await conn.handshake();
      const pods = await this.#snapshot();
      const added: string[] = [];
      for (const w of pods) {
        let sent = false;
        if (w.netnsPath !== undefined) {
          try {
            await this.#addOn(conn, w, w.netnsPath);
            sent = true;
            added.push(w.uid);
          } catch (err) {
            if (conn.closed) throw err;
            this.#log.warn({ uid: w.uid, err: errorMessage(err) }, 'snapshot: cannot send pod netns, sending keep');
          }
        }
        if (!sent) await conn.request({ keep: { uid: w.uid } });
      }
      await conn.request({ snapshot_sent: {} });
      if (conn.closed) return;
      this.#ready.push(conn);
      this.#log.info({ conn: conn.id, pods: pods.length }, 'ztunnel connected, snapshot sent');
      this.emit('connected', conn, added);
    } catch (err) {
      this.#log.warn({ conn: conn.id, err: errorMessage(err) }, 'ZDS handshake failed');
      conn.close(err as Error);
    }
  }
}
