// Original file: common/proto/istio/authorization.proto

import type { Empty as _google_protobuf_Empty, Empty__Output as _google_protobuf_Empty__Output } from '../../google/protobuf/Empty.ts';

export interface StringMatch {
  'exact'?: (string);
  'prefix'?: (string);
  'suffix'?: (string);
  'presence'?: (_google_protobuf_Empty | null);
  'match_type'?: "exact"|"prefix"|"suffix"|"presence";
}

export interface StringMatch__Output {
  'exact'?: (string);
  'prefix'?: (string);
  'suffix'?: (string);
  'presence'?: (_google_protobuf_Empty__Output | null);
  'match_type'?: "exact"|"prefix"|"suffix"|"presence";
}
