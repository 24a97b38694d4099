// istiod's Prometheus series, with Pilot's names (no `istio_` prefix, and counters without `_total`, as istiod exposes them).
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '@mesh/common/metrics';
import { TYPE_URL } from '@mesh/common/proto';

export interface IstiodMetrics {
  readonly registry: MetricsRegistry;
  /** Connected xDS streams. */
  readonly xdsClients: Gauge;
  /** Responses sent, by type (`address`, `authorization`, …). */
  readonly pushes: Counter<'type'>;
  /** Seconds to rebuild the model and hand the changes to every stream, by type. */
  readonly pushTime: Histogram<'type'>;
  /** Seconds the oldest change of a push waited in the debounce. */
  readonly debounceTime: Histogram;
  /** Kubernetes events seen, by kind and event. */
  readonly k8sEvents: Counter<'type' | 'event'>;
  /** NACKs received, by type. */
  readonly rejects: Counter<'type'>;
}

const PUSH_BUCKETS = [0.01, 0.1, 0.5, 1, 3, 5, 10, 20, 30];

export function createIstiodMetrics(registry = new MetricsRegistry({ prefix: '' })): IstiodMetrics {
  return {
    registry,
    xdsClients: registry.gauge({ name: 'pilot_xds', help: 'Number of endpoints connected to this pilot using XDS.' }),
    pushes: registry.counter({ name: 'pilot_xds_pushes', exactName: true, help: 'xDS responses sent, by type.', labelNames: ['type'] }),
    pushTime: registry.histogram({
      name: 'pilot_xds_push_time',
      help: 'Total time in seconds Pilot takes to push resources.',
      labelNames: ['type'],
      buckets: PUSH_BUCKETS,
    }),
    debounceTime: registry.histogram({
      name: 'pilot_debounce_time',
      help: 'Delay in seconds between the first config enters debouncing and the merged push request is pushed into the push queue.',
      buckets: PUSH_BUCKETS,
    }),
    k8sEvents: registry.counter({ name: 'pilot_k8s_reg_events', exactName: true, help: 'Events from k8s registry.', labelNames: ['type', 'event'] }),
    rejects: registry.counter({ name: 'pilot_total_xds_rejects', exactName: true, help: 'Total number of XDS responses from pilot rejected by proxy.', labelNames: ['type'] }),
  };
}

/** The short metric label of a type URL (`address`, `authorization`, or the message name). */
export function metricType(typeUrl: string): string {
  if (typeUrl === TYPE_URL.ADDRESS) return 'address';
  if (typeUrl === TYPE_URL.AUTHORIZATION) return 'authorization';
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
