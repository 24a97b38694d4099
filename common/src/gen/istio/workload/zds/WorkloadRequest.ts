// Original file: common/proto/istio/zds.proto

import type { AddWorkload as _istio_workload_zds_AddWorkload, AddWorkload__Output as _istio_workload_zds_AddWorkload__Output } from '../../../istio/workload/zds/AddWorkload.ts';
import type { DelWorkload as _istio_workload_zds_DelWorkload, DelWorkload__Output as _istio_workload_zds_DelWorkload__Output } from '../../../istio/workload/zds/DelWorkload.ts';
import type { SnapshotSent as _istio_workload_zds_SnapshotSent, SnapshotSent__Output as _istio_workload_zds_SnapshotSent__Output } from '../../../istio/workload/zds/SnapshotSent.ts';
import type { KeepWorkload as _istio_workload_zds_KeepWorkload, KeepWorkload__Output as _istio_workload_zds_KeepWorkload__Output } from '../../../istio/workload/zds/KeepWorkload.ts';

export interface WorkloadRequest {
  'add'?: (_istio_workload_zds_AddWorkload | null);
  'del'?: (_istio_workload_zds_DelWorkload | null);
  'snapshot_sent'?: (_istio_workload_zds_SnapshotSent | null);
  'keep'?: (_istio_workload_zds_KeepWorkload | null);
  'payload'?: "add"|"del"|"snapshot_sent"|"keep";
}

export interface WorkloadRequest__Output {
  'add'?: (_istio_workload_zds_AddWorkload__Output | null);
  'del'?: (_istio_workload_zds_DelWorkload__Output | null);
  'snapshot_sent'?: (_istio_workload_zds_SnapshotSent__Output | null);
  'keep'?: (_istio_workload_zds_KeepWorkload__Output | null);
  'payload'?: "add"|"del"|"snapshot_sent"|"keep";
}
