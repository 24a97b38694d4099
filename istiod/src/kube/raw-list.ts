// Lists a collection as plain JSON. client-node's typed list calls turn objects into class instances (dates
// as Date objects) while its watch hands over plain JSON; listing raw keeps every object in one shape, and
// skips a deserialisation pass that costs seconds for 10,000 pods.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { KubeError } from './kube-error.ts';

const LIST_TIMEOUT_MS = 60_000;

/** GETs `path` (a collection) from the current cluster and parses the list. 404 → ERR_KUBE_NOT_SERVED. */
export async function listRaw<T extends KubernetesObject>(kc: KubeConfig, path: string): Promise<KubernetesListObject<T>> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KubeError('ERR_KUBE_CONFIG', 'kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: LIST_TIMEOUT_MS };
  await kc.applyToHTTPSOptions(options);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const body = await new Promise<string>((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 404) reject(new KubeError('ERR_KUBE_NOT_SERVED', `GET ${path}: 404 (the API is not served)`, 404));
        else if (status < 200 || status > 299) {
          reject(new KubeError('ERR_KUBE_LIST', `GET ${path}: HTTP ${status}: ${text.slice(0, 200)}`, status));
        } else resolve(text);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${LIST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => reject(new KubeError('ERR_KUBE_LIST', `GET ${path}: ${err.message}`, undefined, { cause: err })));
    req.end();
  });
  try {
    return JSON.parse(body) as KubernetesListObject<T>;
  } catch (err) {
    throw new KubeError('ERR_KUBE_LIST', `GET ${path}: the answer is not JSON`, undefined, { cause: err });
  }
}
