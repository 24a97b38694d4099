// A fake ztunnel ZDS client: sends Hello, acks every request (or NACKs on demand), records what it got and
// whether each add carried exactly one fd that is a network namespace.
import { closeFd, isNetns, SeqpacketSocket } from '@mesh/common/net';
import type { SeqpacketMessage } from '@mesh/common/net';
import { ProtoCodec } from '@mesh/common/proto';
import { waitUntil } from '@mesh/common/testing';

export interface ReceivedRequest {
  readonly kind: 'add' | 'del' | 'keep' | 'snapshot_sent';
  readonly uid: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly fdCount: number;
  readonly fdIsNetns: boolean;
}

const codec = ProtoCodec.load(['istio/zds.proto']);

export class FakeZtunnel {
  readonly received: ReceivedRequest[] = [];
  readonly socket: SeqpacketSocket;
  /** Set to make the next acks carry this error. */
  nack = '';
  /** Set to stop answering (tests the agent's deadline). */
  silent = false;
  closed = false;

  constructor(path: string, hello: Buffer = codec.encode('istio.workload.zds.ZdsHello', { version: 'V1' })) {
    this.socket = SeqpacketSocket.connect(path, { maxMessageSize: 1024 });
    this.socket.on('message', (m: SeqpacketMessage) => this.#onMessage(m));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    void this.socket.send(hello);
  }

  #onMessage(m: SeqpacketMessage): void {
    const req = codec.decode<Record<string, { uid?: string; workload_info?: { name: string; namespace: string } } | string>>('istio.workload.zds.WorkloadRequest', m.data);
    const kind = req['payload'] as ReceivedRequest['kind'];
    const body = req[kind] as { uid?: string; workload_info?: { name: string; namespace: string } };
    let fdIsNetns = m.fds.length === 1;
    for (const fd of m.fds) {
      fdIsNetns = fdIsNetns && isNetns(fd);
      closeFd(fd);
    }
    this.received.push({
      kind,
      uid: body?.uid ?? '',
      ...(body?.workload_info ? { name: body.workload_info.name, namespace: body.workload_info.namespace } : {}),
      fdCount: m.fds.length,
      fdIsNetns,
    });
    if (this.silent) return;
    void this.socket.send(codec.encode('istio.workload.zds.WorkloadResponse', { ack: { error: this.nack } })).catch(() => undefined);
  }

  /** Waits until a request matching `pred` arrived. */
  async waitFor(what: string, pred: (r: ReceivedRequest) => boolean, timeoutMs = 20_000): Promise<ReceivedRequest> {
    await waitUntil(what, () => this.received.some(pred), timeoutMs);
    return this.received.find(pred) as ReceivedRequest;
  }

  close(): void {
    this.socket.close();
  }
}
