// Original file: common/proto/istio/zds.proto


export interface Ack {
  'error'?: (string);
}

export interface Ack__Output {
  'error': (string);
}
