// Which proxy a caller may speak for (Istio's pilot/pkg/xds/auth.go): the node id must parse, and the
// caller's service-account namespace must be the proxy's namespace, so a token from one namespace cannot pose
// as a proxy of another.
import { MeshError } from '@mesh/common/errors';
import { parseNodeId } from './node-id.ts';

export type NodeAuthzErrorCode = 'ERR_XDS_BAD_NODE_ID' | 'ERR_XDS_NODE_NAMESPACE';

export class NodeAuthzError extends MeshError<NodeAuthzErrorCode> {}

/** The parts of an authenticated caller this check reads. */
export interface NodeCaller {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Throws a NodeAuthzError naming the mismatch; returns nothing when the caller may use the node id. */
export function authorizeNode(caller: NodeCaller, nodeId: string): void {
  const node = parseNodeId(nodeId);
  if ('error' in node) throw new NodeAuthzError('ERR_XDS_BAD_NODE_ID', node.error);
  if (node.podNamespace !== caller.namespace) {
    throw new NodeAuthzError(
      'ERR_XDS_NODE_NAMESPACE',
      `authenticated namespace ${caller.namespace} (service account ${caller.serviceAccount}) does not match the proxy's namespace ${node.podNamespace}`,
    );
  }
}
