// Original file: common/proto/istio/zds.proto


export interface SnapshotSent {
}

export interface SnapshotSent__Output {
}
