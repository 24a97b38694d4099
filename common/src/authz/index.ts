export { AuthzError, AuthzErrorCode } from './authz-error.ts';
export type { Authorization } from './authorization-parts.ts';
export type { KubeObject } from './kube-objects.ts';
export {
  convertAuthorizationPolicy,
  convertAuthorizationPolicyWithStatus,
  DRY_RUN_ANNOTATION,
} from './convert-authorization-policy.ts';
export type { ConversionResult, ConvertAuthorizationOptions } from './convert-authorization-policy.ts';
export {
  convertPeerAuthentication,
  readPeerAuthentication,
  PEER_AUTHENTICATION_PREFIX,
} from './convert-peer-authentication.ts';
export type { MtlsMode, PeerAuthentication } from './convert-peer-authentication.ts';
export {
  staticStrictPolicy,
  STATIC_STRICT_POLICY_NAME,
  waypointAllowPolicy,
  waypointAllowPolicyName,
} from './static-policies.ts';
export type { WaypointRef } from './static-policies.ts';
export { toProtoJson, fromProtoJson } from './proto-json.ts';
export type { AuthorizationJson } from './proto-json.ts';
export { compilePolicy } from './policy.ts';
export type {
  Clause,
  CompiledMatch,
  Policy,
  PolicyScope,
  Rule,
  ServiceAccountMatcher,
  StringMatcher,
} from './policy.ts';
export { evaluate } from './evaluate.ts';
export type { ConnectionInfo, Decision, SpiffeLike, Verdict } from './evaluate.ts';
export { selectPolicies } from './select-policies.ts';
export type { PolicySelector } from './select-policies.ts';
export { parseIp, formatIp } from './ip.ts';
export { convertPolicies } from './convert-policies.ts';
export type { ConvertedPolicies } from './convert-policies.ts';
