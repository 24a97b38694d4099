// Who a CreateCertificate caller may get a certificate for. A workload gets its own identity. A node agent
// (ztunnel) may ask for ("impersonate") the identity of a pod on its node, as Istio's node authorizer allows:
// the caller's account must be a trusted node account, its token must be bound to a pod that still exists with
// that uid, and that pod's node must run some pod with the requested namespace and service account.
import { SpiffeId } from '@mesh/common/identity';
import type { Caller } from '../auth/index.ts';
import { IstiodCaError, IstiodCaErrorCode } from './ca-errors.ts';
import type { NodeAccount } from './trusted-accounts.ts';

/** What the CA needs to know about a pod. */
export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** `spec.serviceAccountName` ("default" when unset). */
  readonly serviceAccount: string;
  readonly nodeName?: string;
  readonly phase?: string;
}

/** Reads pods from the API server (or a cache, or a test's table). */
export interface PodLookup {
  /** The pod, or undefined when it does not exist. */
  pod(namespace: string, name: string): Promise<PodFacts | undefined>;
  /** Pods of `namespace` scheduled on `nodeName`. */
  podsOnNode(nodeName: string, namespace: string): Promise<readonly PodFacts[]>;
}

export interface AuthoriseInput {
  readonly caller: Caller;
  /** The request's `metadata.ImpersonatedIdentity`, if any. */
  readonly impersonated?: string;
  readonly trustDomain: string;
  readonly trustedNodeAccounts: readonly NodeAccount[];
  readonly pods: PodLookup;
}

/** The identity the caller may get a certificate for, or an {@link IstiodCaError} saying why not. */
export async function authoriseIdentity(input: AuthoriseInput): Promise<SpiffeId> {
  const { caller, trustDomain } = input;
  if (input.impersonated === undefined || input.impersonated === '') return callerIdentity(caller, trustDomain);
  const requested = parseImpersonated(input.impersonated, trustDomain);
  checkTrustedAccount(caller, input.trustedNodeAccounts, requested);
  const callerPod = caller.podName === undefined ? undefined : await input.pods.pod(caller.namespace, caller.podName);
  const nodeName = callerNode(caller, callerPod, requested);
  const pods = await input.pods.podsOnNode(nodeName, requested.namespace);
  if (!pods.some((pod) => runsIdentity(pod, requested, nodeName))) {
    throw denied(requested, `no pod with service account ${requested.namespace}/${requested.serviceAccount} runs on node ${nodeName}`);
  }
  return requested;
}

/** `spiffe://<td>/ns/<ns>/sa/<sa>` of the caller itself. */
export function callerIdentity(caller: Caller, trustDomain: string): SpiffeId {
  return SpiffeId.of({ trustDomain, namespace: caller.namespace, serviceAccount: caller.serviceAccount });
}

/** The impersonated identity, which must be a SPIFFE ID of our trust domain. */
export function parseImpersonated(value: string, trustDomain: string): SpiffeId {
  const id = SpiffeId.tryParse(value);
  if (!id) {
    throw new IstiodCaError(IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY, `ImpersonatedIdentity "${value}" is not a valid SPIFFE ID`);
  }
  if (id.trustDomain !== trustDomain) {
    throw new IstiodCaError(
      IstiodCaErrorCode.BAD_IMPERSONATED_IDENTITY,
      `ImpersonatedIdentity "${value}" is not in this CA's trust domain "${trustDomain}"`,
    );
  }
  return id;
}

/** Pure: refuses callers whose account is not a trusted node account. */
export function checkTrustedAccount(caller: Caller, trusted: readonly NodeAccount[], requested: SpiffeId): void {
  if (!trusted.some((a) => a.namespace === caller.namespace && a.serviceAccount === caller.serviceAccount)) {
    throw denied(requested, `caller ${caller.namespace}/${caller.serviceAccount} is not a trusted node account (CA_TRUSTED_NODE_ACCOUNTS)`);
  }
}

/** Pure: the node of the pod the caller's token is bound to, after checking that pod is really the caller's. */
export function callerNode(caller: Caller, pod: PodFacts | undefined, requested: SpiffeId): string {
  if (caller.podName === undefined || caller.podUid === undefined) {
    throw denied(requested, `caller ${caller.namespace}/${caller.serviceAccount} presented a token not bound to a pod`);
  }
  const who = `caller pod ${caller.namespace}/${caller.podName}`;
  if (!pod) throw denied(requested, `${who} does not exist`);
  if (pod.uid !== caller.podUid) throw denied(requested, `${who} has uid ${pod.uid}, the token is bound to ${caller.podUid}`);
  if (pod.serviceAccount !== caller.serviceAccount) {
    throw denied(requested, `${who} runs as service account ${pod.serviceAccount}, not ${caller.serviceAccount}`);
  }
  if (!pod.nodeName) throw denied(requested, `${who} is not scheduled on a node`);
  return pod.nodeName;
}

/** Pure: whether `pod` is a live pod of the requested identity on the node. */
export function runsIdentity(pod: PodFacts, requested: SpiffeId, nodeName: string): boolean {
  return (
    pod.nodeName === nodeName &&
    pod.namespace === requested.namespace &&
    pod.serviceAccount === requested.serviceAccount &&
    pod.phase !== 'Succeeded' &&
    pod.phase !== 'Failed'
  );
}

function denied(requested: SpiffeId, why: string): IstiodCaError {
  return new IstiodCaError(IstiodCaErrorCode.IMPERSONATION_DENIED, `impersonating ${requested.toString()} refused: ${why}`);
}
