// Original file: common/proto/istio/authorization.proto


export interface ServiceAccountMatch {
  'namespace'?: (string);
  'serviceAccount'?: (string);
}

export interface ServiceAccountMatch__Output {
  'namespace': (string);
  'serviceAccount': (string);
}
