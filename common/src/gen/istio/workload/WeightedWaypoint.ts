// Original file: common/proto/istio/workload.proto

import type { GatewayAddress as _istio_workload_GatewayAddress, GatewayAddress__Output as _istio_workload_GatewayAddress__Output } from '../../istio/workload/GatewayAddress.ts';

export interface WeightedWaypoint {
  'destination'?: (_istio_workload_GatewayAddress | null);
  'weight'?: (number);
}

export interface WeightedWaypoint__Output {
  'destination': (_istio_workload_GatewayAddress__Output | null);
  'weight': (number);
}
