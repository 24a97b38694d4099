import { stringify } from 'yaml';

/** What a kubeconfig for the local cluster holds. */
export interface KubeconfigInput {
  readonly server: string;
  readonly caCertPem: string;
  readonly token: string;
  /** Cluster, user and context name. */
  readonly name: string;
  readonly namespace?: string;
}

/** A kubeconfig (YAML) with one cluster, one bearer-token user and one current context. */
export function renderKubeconfig(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.name, cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCertPem).toString('base64') } }],
    users: [{ name: k.name, user: { token: k.token } }],
    contexts: [{ name: k.name, context: { cluster: k.name, user: k.name, namespace: k.namespace ?? 'default' } }],
    'current-context': k.name,
    preferences: {},
  });
}
