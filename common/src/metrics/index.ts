export { MetricsRegistry, DEFAULT_PREFIX } from './metrics-registry.ts';
export type { MetricsRegistryOptions, MetricDefinition, CounterDefinition } from './metrics-registry.ts';
export { TRAFFIC_LABELS, UNKNOWN, REPORTER, fillTrafficLabels } from './traffic-labels.ts';
export type { TrafficLabel, TrafficLabels, PartialTrafficLabels } from './traffic-labels.ts';
export { createTcpMetrics } from './tcp-metrics.ts';
export type { TcpMetrics } from './tcp-metrics.ts';
export { MetricsError } from './metrics-error.ts';
