// Istio's standard traffic label set, shared by ztunnel and the waypoint so dashboards, Kiali and
// Prometheus rules work unchanged. Every series carries every label; unknown values render as `unknown`.

/** The standard labels of Istio traffic metrics, in Istio's order. */
export const TRAFFIC_LABELS = [
  'reporter',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_service',
  'destination_service_namespace',
  'destination_service_name',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_cluster',
  'request_protocol',
  'response_flags',
  'connection_security_policy',
] as const;

/** One of TRAFFIC_LABELS. */
export type TrafficLabel = (typeof TRAFFIC_LABELS)[number];

/** A full label set, as recorded. */
export type TrafficLabels = Readonly<Record<TrafficLabel, string>>;

/** What a recorder knows; anything missing or empty becomes `unknown`. */
export type PartialTrafficLabels = Readonly<Partial<Record<TrafficLabel, string | undefined>>>;

/** The value Istio uses for a label it could not determine. */
export const UNKNOWN = 'unknown';

/** Who reports a series: the source ztunnel, the destination ztunnel, or a waypoint. */
export const REPORTER = { source: 'source', destination: 'destination', waypoint: 'waypoint' } as const;

/** Returns every traffic label, filling absent or empty values with `unknown`. Extra keys are dropped. */
export function fillTrafficLabels(partial: PartialTrafficLabels): TrafficLabels {
  const out = {} as Record<TrafficLabel, string>;
  for (const name of TRAFFIC_LABELS) {
    const value = partial[name];
    out[name] = value === undefined || value === '' ? UNKNOWN : value;
  }
  return out;
}
