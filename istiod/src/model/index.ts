// The ambient model: pure functions from Kubernetes objects to the WDS resources istiod sends ztunnels
// (`istio.workload.Address` and `istio.security.Authorization`), following istiod's ambient index.
//
// build-model.ts        indexes the objects and runs the parts below; bad objects become ModelIssues
// workloads.ts          Pod and WorkloadEntry → Workload (identity, owner, status, locality, services, policies)
// services.ts           Service and ServiceEntry → Service (VIPs, ports, SANs, load balancing, waypoint)
// endpoint-slices.ts    members of selector-less Services
// service-entry-workloads.ts  ServiceEntry inline endpoints
// entry-spec.ts         the WorkloadEntry-shaped spec both of those read, and the Workload built from it
// waypoints.ts          Gateways of class istio-waypoint and `istio.io/use-waypoint` binding
// policies.ts           AuthorizationPolicy/PeerAuthentication conversion (common/authz) and attachment
// ports.ts, workload-meta.ts, selector-index.ts, ip.ts, labels.ts   small helpers
export type { ClusterObjects, CustomObject, MeshModel, MeshOptions, ModelIssue, XdsResource } from './types.ts';
export { buildModel } from './build-model.ts';
export { ModelError, ModelErrorCode } from './model-error.ts';
