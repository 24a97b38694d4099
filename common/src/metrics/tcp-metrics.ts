// The four standard TCP traffic counters, defined once here so ztunnel and the waypoint emit identical
// series. Each component records into them from its own connection recorder.
import type { Counter } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry.ts';
import { TRAFFIC_LABELS } from './traffic-labels.ts';
import type { TrafficLabel } from './traffic-labels.ts';

/** The `istio_tcp_*` counters, each labelled with the full traffic label set. */
export interface TcpMetrics {
  /** `istio_tcp_connections_opened_total` */
  readonly connectionsOpened: Counter<TrafficLabel>;
  /** `istio_tcp_connections_closed_total` */
  readonly connectionsClosed: Counter<TrafficLabel>;
  /** `istio_tcp_received_bytes_total`: bytes in the client → server direction. */
  readonly receivedBytes: Counter<TrafficLabel>;
  /** `istio_tcp_sent_bytes_total`: bytes in the server → client direction. */
  readonly sentBytes: Counter<TrafficLabel>;
}

/** Defines (or, if already defined in this registry, returns) the TCP counters. */
export function createTcpMetrics(registry: MetricsRegistry): TcpMetrics {
  const labelNames = TRAFFIC_LABELS;
  return {
    connectionsOpened: registry.counter({
      name: 'tcp_connections_opened',
      help: 'The total number of TCP connections opened',
      labelNames,
    }),
    connectionsClosed: registry.counter({
      name: 'tcp_connections_closed',
      help: 'The total number of TCP connections closed',
      labelNames,
    }),
    receivedBytes: registry.counter({
      name: 'tcp_received_bytes',
      help: 'The size of total bytes received during request in case of a TCP connection',
      labelNames,
    }),
    sentBytes: registry.counter({
      name: 'tcp_sent_bytes',
      help: 'The size of total bytes sent during response in case of a TCP connection',
      labelNames,
    }),
  };
}
