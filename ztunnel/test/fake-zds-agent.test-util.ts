// A minimal node agent for tests: the ZDS server side. On each connection it waits for the Hello, sends an
// add per pod (with its netns fd), then snapshot_sent, and records the acks. add()/del() work afterwards.
import { rmSync } from 'node:fs';
import { SeqpacketServer, closeFd, openNetns } from '@mesh/common/net';
import type { SeqpacketMessage, SeqpacketSocket } from '@mesh/common/net';
import type { ProtoCodec } from '@mesh/common/proto';

export interface AgentPod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly netnsPath: string;
}

export class FakeZdsAgent {
  readonly path: string;
  readonly acks: string[] = [];
  readonly #server: SeqpacketServer;
  readonly #codec: ProtoCodec;
  readonly #pods: AgentPod[];
  #conn: SeqpacketSocket | undefined;
  #waiters: ((error: string) => void)[] = [];

  constructor(path: string, codec: ProtoCodec, pods: AgentPod[]) {
    rmSync(path, { force: true });
    this.path = path;
    this.#codec = codec;
    this.#pods = pods;
    this.#server = SeqpacketServer.listen(path);
    this.#server.on('connection', (s: SeqpacketSocket) => this.#onConnection(s));
  }

  /** Sends a raw datagram (bad-input tests) and resolves with its ack error. */
  async sendRaw(data: Buffer, fds: number[] = []): Promise<string> {
    const conn = this.#conn;
    if (!conn) throw new Error('no ztunnel connected');
    const ack = new Promise<string>((resolve) => this.#waiters.push(resolve));
    await conn.send(data, fds);
    return ack;
  }

  async add(pod: AgentPod): Promise<string> {
    const fd = openNetns(pod.netnsPath);
    try {
      return await this.sendRaw(this.#encodeAdd(pod), [fd]);
    } finally {
      closeFd(fd);
    }
  }

  del(uid: string): Promise<string> {
    return this.sendRaw(this.#codec.encode('istio.workload.zds.WorkloadRequest', { del: { uid } }));
  }

  close(): void {
    this.#conn?.close();
    this.#server.close();
  }

  #encodeAdd(pod: AgentPod): Buffer {
    return this.#codec.encode('istio.workload.zds.WorkloadRequest', {
      add: { uid: pod.uid, workload_info: { name: pod.name, namespace: pod.namespace, service_account: pod.serviceAccount } },
    });
  }

  #onConnection(s: SeqpacketSocket): void {
    this.#conn = s;
    let hello = false;
    s.on('error', () => {});
    s.on('message', (m: SeqpacketMessage) => {
      for (const fd of m.fds) closeFd(fd);
      if (!hello) {
        hello = true;
        void this.#snapshot();
        return;
      }
      const res = this.#codec.decode<{ ack?: { error: string } }>('istio.workload.zds.WorkloadResponse', m.data);
      const error = res.ack?.error ?? '<no ack>';
      this.acks.push(error);
      this.#waiters.shift()?.(error);
    });
  }

  async #snapshot(): Promise<void> {
    for (const pod of this.#pods) await this.add(pod);
    await this.sendRaw(this.#codec.encode('istio.workload.zds.WorkloadRequest', { snapshot_sent: {} }));
  }
}
