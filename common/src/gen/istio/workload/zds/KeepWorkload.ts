// Original file: common/proto/istio/zds.proto


export interface KeepWorkload {
  'uid'?: (string);
}

export interface KeepWorkload__Output {
  'uid': (string);
}
