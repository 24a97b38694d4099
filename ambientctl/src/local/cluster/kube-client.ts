// A small JSON client for the local API server (the daemon's controllers and the CLI subcommands). It speaks
// the same REST API as any client; kept tiny because the controllers need only list/get/create/patch/delete.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LocalError } from './run.ts';

/** Minimal object shape. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    generateName?: string;
    resourceVersion?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export class KubeClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #ca: string;
  readonly #agent: Agent;

  constructor(server: string, token: string, caPem: string) {
    this.#base = new URL(server);
    this.#token = token;
    this.#ca = caPem;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 8, ca: caPem });
  }

  /** Reads a kubeconfig written by the local API server (one cluster, bearer token, CA data). */
  static fromKubeconfig(path: string): KubeClient {
    const kc = parse(readFileSync(path, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    const cluster = kc.clusters[0]?.cluster;
    const token = kc.users[0]?.user.token;
    if (!cluster || !token) throw new LocalError('ERR_LOCAL_BAD_INPUT', `${path}: no cluster or token in kubeconfig`);
    return new KubeClient(cluster.server, token, Buffer.from(cluster['certificate-authority-data'], 'base64').toString());
  }

  close(): void {
    this.#agent.destroy();
  }

  /** One request; resolves with status and parsed body. */
  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
      if (data !== undefined) headers['content-type'] = contentType;
      const req = request(new URL(path, this.#base), { method, headers, agent: this.#agent, ca: this.#ca, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new LocalError('ERR_LOCAL_TIMEOUT', `${method} ${path}: no answer within 15 s`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async #ok(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r = await this.call(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return r.body;
    const msg = (r.body as { message?: string } | undefined)?.message ?? JSON.stringify(r.body);
    throw Object.assign(new LocalError('ERR_LOCAL_API', `${method} ${path}: ${r.status} ${msg}`), { status: r.status });
  }

  async get<T = Obj>(path: string): Promise<T | undefined> {
    const r = await this.call('GET', path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new LocalError('ERR_LOCAL_API', `GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  async list<T = Obj>(path: string): Promise<T[]> {
    const body = (await this.#ok('GET', path)) as { items?: T[] };
    return body.items ?? [];
  }

  async create<T = Obj>(path: string, obj: unknown): Promise<T> {
    return (await this.#ok('POST', path, obj)) as T;
  }

  /** Creates, or does nothing when it exists already (409). */
  async ensure(path: string, obj: Obj): Promise<void> {
    const r = await this.call('POST', path, obj);
    if (r.status >= 300 && r.status !== 409) throw new LocalError('ERR_LOCAL_API', `POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async patch<T = Obj>(path: string, patch: unknown): Promise<T> {
    return (await this.#ok('PATCH', path, patch, 'application/merge-patch+json')) as T;
  }

  async put<T = Obj>(path: string, obj: unknown): Promise<T> {
    return (await this.#ok('PUT', path, obj)) as T;
  }

  /** Deletes; a missing object is not an error. */
  async delete(path: string): Promise<void> {
    const r = await this.call('DELETE', path);
    if (r.status >= 300 && r.status !== 404) throw new LocalError('ERR_LOCAL_API', `DELETE ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** REST path of a namespaced core object. */
export function corePath(resource: string, namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${namespace}` : '';
  return `/api/v1${ns}/${resource}${name ? `/${name}` : ''}`;
}
