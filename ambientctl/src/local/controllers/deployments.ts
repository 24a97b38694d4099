// Deployments → pods (pure planning). Pods are owned by the Deployment, carry the `pod-template-hash` label
// and are named `<deployment>-<hash>-<5 random>` as a ReplicaSet would name them. A template change rolls
// every pod (old-hash pods are deleted once enough new ones exist).
import { createHash, randomBytes } from 'node:crypto';
import type { Obj } from '../cluster/kube-client.ts';

export interface DeploymentPlan {
  create: Obj[];
  delete: string[];
  status: { replicas: number; readyReplicas: number; availableReplicas: number; updatedReplicas: number; observedGeneration?: number };
}

interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

/** A short stable hash of the pod template (as pod-template-hash). */
export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').slice(0, 10);
}

function isReady(p: Obj): boolean {
  const conds = ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** What to create and delete so `deployment` has `replicas` pods of its current template. */
export function planDeployment(deployment: Obj, allPods: readonly Obj[]): DeploymentPlan {
  const spec = (deployment.spec ?? {}) as DeploymentSpec;
  const replicas = spec.replicas ?? 1;
  const uid = deployment.metadata.uid ?? '';
  const owned = allPods.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === uid) && !p.metadata.deletionTimestamp);
  const hash = templateHash(spec.template);
  const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
  const old = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
  const create: Obj[] = [];
  for (let i = current.length; i < replicas; i++) {
    const name = `${deployment.metadata.name}-${hash}-${suffix()}`;
    create.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: deployment.metadata.namespace ?? 'default',
        labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
        ...(spec.template?.metadata?.annotations ? { annotations: spec.template.metadata.annotations } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid, controller: true }],
      },
      spec: { ...(spec.template?.spec ?? {}) },
    });
  }
  const del: string[] = current.slice(replicas).map((p) => p.metadata.name);
  // Roll: old pods go once the new ones are ready (or at once when scaling to zero).
  const readyNew = current.filter(isReady).length;
  if (readyNew >= replicas) del.push(...old.map((p) => p.metadata.name));
  const ready = owned.filter(isReady).length;
  return {
    create,
    delete: del,
    status: { replicas: owned.length, readyReplicas: ready, availableReplicas: ready, updatedReplicas: current.length, observedGeneration: (deployment.metadata as { generation?: number }).generation },
  };
}
