// Original file: common/proto/istio/zds.proto


export interface WorkloadInfo {
  'name'?: (string);
  'namespace'?: (string);
  'service_account'?: (string);
}

export interface WorkloadInfo__Output {
  'name': (string);
  'namespace': (string);
  'service_account': (string);
}
