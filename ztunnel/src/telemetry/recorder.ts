// One connection's telemetry: `istio_tcp_*` counters and the access log line at close (ztunnel's
// ConnectionResult). Byte counts are from the source's point of view: sent = client → server.
import type { AccessLog } from '@mesh/common/log';
import type { TcpMetrics } from '@mesh/common/metrics';
import { trafficLabels } from './labels.ts';
import type { ConnectionFacts, ResponseFlag } from './labels.ts';

export interface ConnectionEnd {
  readonly bytesSent: number;
  readonly bytesRecv: number;
  readonly flag?: ResponseFlag;
  readonly error?: string;
}

export class Telemetry {
  readonly #metrics: TcpMetrics;
  readonly #access: AccessLog;

  constructor(metrics: TcpMetrics, access: AccessLog) {
    this.#metrics = metrics;
    this.#access = access;
  }

  /** Counts the connection as opened; call end() exactly once (later calls are ignored). */
  start(facts: ConnectionFacts): ConnectionRecord {
    return new ConnectionRecord(this.#metrics, this.#access, facts);
  }
}

export class ConnectionRecord {
  readonly #metrics: TcpMetrics;
  readonly #access: AccessLog;
  readonly #started = performance.now();
  #facts: ConnectionFacts;
  #ended = false;

  constructor(metrics: TcpMetrics, access: AccessLog, facts: ConnectionFacts) {
    this.#metrics = metrics;
    this.#access = access;
    this.#facts = facts;
    metrics.connectionsOpened.inc(trafficLabels(facts, '-'));
    access.opened(this.#accessRecord());
  }

  /** Adds facts learned later (the destination once routed, the peer identity). */
  update(more: Partial<ConnectionFacts>): void {
    this.#facts = { ...this.#facts, ...more };
  }

  get facts(): ConnectionFacts {
    return this.#facts;
  }

  end(result: ConnectionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    const flag = result.flag ?? (result.error ? 'CONNECT' : '-');
    const labels = trafficLabels(this.#facts, flag);
    this.#metrics.connectionsClosed.inc(labels);
    if (result.bytesSent > 0) this.#metrics.receivedBytes.inc(labels, result.bytesSent);
    if (result.bytesRecv > 0) this.#metrics.sentBytes.inc(labels, result.bytesRecv);
    this.#access.complete({
      ...this.#accessRecord(),
      bytesSent: result.bytesSent,
      bytesRecv: result.bytesRecv,
      durationMs: performance.now() - this.#started,
      ...(result.error !== undefined ? { error: flag === '-' ? result.error : `${flag}: ${result.error}` } : {}),
    });
  }

  #accessRecord() {
    const f = this.#facts;
    return {
      direction: f.direction,
      src: {
        addr: f.srcAddr,
        workload: f.srcWorkload?.name,
        namespace: f.srcWorkload?.namespace,
        identity: f.mtls ? f.srcIdentity : undefined,
        cluster: f.srcWorkload?.clusterId || undefined,
      },
      dst: {
        addr: f.dstAddr,
        hboneAddr: f.hboneAddr,
        service: f.dstService?.hostname,
        workload: f.dstWorkload?.name,
        namespace: f.dstWorkload?.namespace,
        identity: f.dstIdentity,
        cluster: f.dstWorkload?.clusterId || undefined,
      },
    };
  }
}
