import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _istio_workload_zds_Ack, Ack__Output as _istio_workload_zds_Ack__Output } from './istio/workload/zds/Ack.ts';
import type { AddWorkload as _istio_workload_zds_AddWorkload, AddWorkload__Output as _istio_workload_zds_AddWorkload__Output } from './istio/workload/zds/AddWorkload.ts';
import type { DelWorkload as _istio_workload_zds_DelWorkload, DelWorkload__Output as _istio_workload_zds_DelWorkload__Output } from './istio/workload/zds/DelWorkload.ts';
import type { KeepWorkload as _istio_workload_zds_KeepWorkload, KeepWorkload__Output as _istio_workload_zds_KeepWorkload__Output } from './istio/workload/zds/KeepWorkload.ts';
import type { SnapshotSent as _istio_workload_zds_SnapshotSent, SnapshotSent__Output as _istio_workload_zds_SnapshotSent__Output } from './istio/workload/zds/SnapshotSent.ts';
import type { WorkloadInfo as _istio_workload_zds_WorkloadInfo, WorkloadInfo__Output as _istio_workload_zds_WorkloadInfo__Output } from './istio/workload/zds/WorkloadInfo.ts';
import type { WorkloadRequest as _istio_workload_zds_WorkloadRequest, WorkloadRequest__Output as _istio_workload_zds_WorkloadRequest__Output } from './istio/workload/zds/WorkloadRequest.ts';
import type { WorkloadResponse as _istio_workload_zds_WorkloadResponse, WorkloadResponse__Output as _istio_workload_zds_WorkloadResponse__Output } from './istio/workload/zds/WorkloadResponse.ts';
import type { ZdsHello as _istio_workload_zds_ZdsHello, ZdsHello__Output as _istio_workload_zds_ZdsHello__Output } from './istio/workload/zds/ZdsHello.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  istio: {
    workload: {
      zds: {
        Ack: MessageTypeDefinition<_istio_workload_zds_Ack, _istio_workload_zds_Ack__Output>
        AddWorkload: MessageTypeDefinition<_istio_workload_zds_AddWorkload, _istio_workload_zds_AddWorkload__Output>
        DelWorkload: MessageTypeDefinition<_istio_workload_zds_DelWorkload, _istio_workload_zds_DelWorkload__Output>
        KeepWorkload: MessageTypeDefinition<_istio_workload_zds_KeepWorkload, _istio_workload_zds_KeepWorkload__Output>
        SnapshotSent: MessageTypeDefinition<_istio_workload_zds_SnapshotSent, _istio_workload_zds_SnapshotSent__Output>
        Version: EnumTypeDefinition
        WorkloadInfo: MessageTypeDefinition<_istio_workload_zds_WorkloadInfo, _istio_workload_zds_WorkloadInfo__Output>
        WorkloadRequest: MessageTypeDefinition<_istio_workload_zds_WorkloadRequest, _istio_workload_zds_WorkloadRequest__Output>
        WorkloadResponse: MessageTypeDefinition<_istio_workload_zds_WorkloadResponse, _istio_workload_zds_WorkloadResponse__Output>
        ZdsHello: MessageTypeDefinition<_istio_workload_zds_ZdsHello, _istio_workload_zds_ZdsHello__Output>
      }
    }
  }
}

