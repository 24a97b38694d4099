// A small cluster on the local API server for the CA tests: nodes, the ztunnel account and pod, app pods, and
// TokenRequest tokens bound to pods (audience istio-ca), as the kubelet would project them.
import * as grpc from '@grpc/grpc-js';
import { KubeConfig, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import {
  createCaClient,
  type IstioCertificateRequest,
  type IstioCertificateResponse__Output,
  type IstioCertificateServiceClient,
} from '@mesh/common/proto';

export const CALL_DEADLINE_MS = 15_000;

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export async function createNamespace(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

export async function createServiceAccount(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace } } });
}

export async function createNode(core: CoreV1Api, name: string): Promise<void> {
  await core.createNode({ body: { metadata: { name } } });
}

export async function createPod(core: CoreV1Api, namespace: string, name: string, serviceAccount: string, nodeName: string): Promise<V1Pod> {
  const pod = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, namespace },
      spec: { serviceAccountName: serviceAccount, nodeName, containers: [{ name: 'app', image: 'ambient/echo' }] },
    },
  });
  return pod;
}

/** A service-account token bound to `pod` (when given), for `audiences`. */
export async function podToken(core: CoreV1Api, namespace: string, serviceAccount: string, pod?: V1Pod, audiences = ['istio-ca']): Promise<string> {
  const res = await core.createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: {
      spec: {
        audiences,
        expirationSeconds: 3600,
        ...(pod ? { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' } } : {}),
      },
    },
  });
  const token = res.status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  return token;
}

/** A ztunnel-like client of the CA over TLS, trusting only `rootCertPem`. */
export function caClient(address: string, rootCertPem: string): IstioCertificateServiceClient {
  return createCaClient(address, grpc.credentials.createSsl(Buffer.from(rootCertPem)));
}

export function bearer(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

export function createCertificate(
  client: IstioCertificateServiceClient,
  request: IstioCertificateRequest,
  metadata: grpc.Metadata,
): Promise<IstioCertificateResponse__Output> {
  return new Promise((resolve, reject) => {
    client.CreateCertificate(request, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (err, res) =>
      err ? reject(err) : resolve(res as IstioCertificateResponse__Output),
    );
  });
}

/** Asserts-friendly matcher for a refused call. */
export function grpcError(code: grpc.status, details: RegExp): (e: unknown) => boolean {
  return (e) => {
    const err = e as grpc.ServiceError;
    if (err.code !== code || !details.test(err.details)) {
      throw new Error(`expected gRPC ${grpc.status[code]} matching ${details}, got ${grpc.status[err.code] ?? '?'}: ${err.details ?? String(e)}`);
    }
    return true;
  };
}

/** Retries the async `check` (every 100 ms) until it resolves; rejects after `timeoutMs` naming `what` and the last error. */
export async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${String(err)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
