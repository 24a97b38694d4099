// Original file: common/proto/istio/ca.proto


export interface IstioCertificateResponse {
  'cert_chain'?: (string)[];
}

export interface IstioCertificateResponse__Output {
  'cert_chain': (string)[];
}
