// Original file: common/proto/istio/zds.proto

import type { Version as _istio_workload_zds_Version, Version__Output as _istio_workload_zds_Version__Output } from '../../../istio/workload/zds/Version.ts';

export interface ZdsHello {
  'version'?: (_istio_workload_zds_Version);
}

export interface ZdsHello__Output {
  'version': (_istio_workload_zds_Version__Output);
}
