// Workload naming the way istiod derives it from a pod's owners and labels (kube.GetDeployMetaFromPod,
// labels.CanonicalService).
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { WorkloadType } from '@mesh/common/wds';
import { LABEL } from './labels.ts';

/** What kind of workload a pod belongs to, and that workload's name. */
export interface WorkloadOwner {
  readonly type: WorkloadType;
  readonly name: string;
}

/** A Job named `<cronjob>-<8 to 11 digits>` was made by that CronJob. */
const CRONJOB_JOB_NAME = /^(.+)-[0-9]{8,11}$/;

/**
 * The workload type and name from the pod's controller: a ReplicaSet whose name ends in the pod-template-hash
 * is a Deployment; a Job named like a CronJob's is that CronJob; any other controller keeps its own name with
 * type POD; a pod without a generated name or controller is its own workload.
 */
export function workloadOwner(
  podName: string,
  generateName: string | undefined,
  owners: readonly V1OwnerReference[] | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): WorkloadOwner {
  if (!generateName) return { type: 'POD', name: podName };
  const controller = owners?.find((o) => o.controller === true);
  if (!controller) return { type: 'POD', name: podName };
  const hash = labels?.[LABEL.POD_TEMPLATE_HASH];
  if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(`-${hash}`)) {
    return { type: 'DEPLOYMENT', name: controller.name.slice(0, -(hash.length + 1)) };
  }
  if (controller.kind === 'Job') {
    const cron = CRONJOB_JOB_NAME.exec(controller.name);
    return cron ? { type: 'CRONJOB', name: cron[1] as string } : { type: 'JOB', name: controller.name };
  }
  return { type: 'POD', name: controller.name };
}

/** Canonical service name and revision: Istio's labels, then the Kubernetes recommended ones, then defaults. */
export function canonicalService(
  labels: Readonly<Record<string, string>> | undefined,
  workloadName: string,
): { name: string; revision: string } {
  const l = labels ?? {};
  return {
    name: l[LABEL.CANONICAL_NAME] || l[LABEL.K8S_APP_NAME] || l[LABEL.APP] || workloadName,
    revision: l[LABEL.CANONICAL_REVISION] || l[LABEL.K8S_APP_VERSION] || l[LABEL.VERSION] || 'latest',
  };
}
