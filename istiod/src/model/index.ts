// The ambient model: pure functions from Kubernetes objects to the WDS resources istiod sends ztunnels.
export type { ClusterObjects, CustomObject, MeshModel, MeshOptions, ModelIssue, XdsResource } from './types.ts';
export { buildModel } from './build-model.ts';
