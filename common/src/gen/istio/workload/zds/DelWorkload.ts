// Original file: common/proto/istio/zds.proto


export interface DelWorkload {
  'uid'?: (string);
}

export interface DelWorkload__Output {
  'uid': (string);
}
