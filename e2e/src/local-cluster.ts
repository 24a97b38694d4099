import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig, KubernetesObjectApi, CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** The repository root (this file is e2e/src/local-cluster.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO_ROOT, 'ambientctl', 'bin', 'ambientctl.js');

/** What a command printed and how it ended. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ambientctl <args>` with the project's Node; never hangs past `timeoutMs`. */
export function ambientctl(args: string[], opts: { timeoutMs?: number; inherit?: boolean } = {}): Promise<CommandResult> {
  return run(process.execPath, [CLI, ...args], opts);
}

/** Runs a program; resolves with its exit code and output (code 124 when it was killed on timeout). */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; inherit?: boolean } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', opts.inherit ? 'inherit' : 'pipe', opts.inherit ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? 1), stdout, stderr });
    });
  });
}

/** A running local cluster (`ambientctl local up`) and the ways tests and the demo use it. */
export class LocalCluster {
  readonly dataDir: string;
  readonly kubeConfig: KubeConfig;
  readonly #ownsDir: boolean;
  #prefix = '';

  private constructor(dataDir: string, ownsDir: boolean) {
    this.dataDir = dataDir;
    this.#ownsDir = ownsDir;
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromFile(join(dataDir, 'kubeconfig'));
  }

  /** `ambientctl local up`; with no data dir, a fresh temp dir that `down()` removes. */
  static async up(opts: { nodes?: number; dataDir?: string; inherit?: boolean; timeoutMs?: number } = {}): Promise<LocalCluster> {
    const ownsDir = opts.dataDir === undefined;
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mesh-e2e-'));
    const up = await ambientctl(['local', 'up', '--nodes', String(opts.nodes ?? 2), '--data-dir', dataDir], {
      timeoutMs: opts.timeoutMs ?? 180_000,
      ...(opts.inherit ? { inherit: true } : {}),
    });
    if (up.code !== 0) {
      await ambientctl(['local', 'down', '--data-dir', dataDir], { timeoutMs: 60_000 });
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`ambientctl local up failed (exit ${up.code}):\n${up.stdout}\n${up.stderr}`);
    }
    return new LocalCluster(dataDir, ownsDir);
  }

  /** `ambientctl local down`: removes everything the cluster created. */
  async down(): Promise<CommandResult> {
    const r = await ambientctl(['local', 'down', '--data-dir', this.dataDir], { timeoutMs: 120_000 });
    if (this.#ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
    return r;
  }

  /** Runs a command inside a pod's network namespace through `ambientctl local exec`. */
  exec(pod: string, cmd: string[], timeoutMs = 30_000): Promise<CommandResult> {
    return ambientctl(['local', 'exec', '--data-dir', this.dataDir, pod, '--', ...cmd], { timeoutMs });
  }

  /**
   * Runs a command inside a pod's network namespace directly with `ip netns exec` (the namespace is named
   * `<prefix>-pod-<first 8 hex of the uid>`, see ambientctl's local README): the same place `exec` runs it, without
   * starting the CLI, for tests that send many requests.
   */
  async podExec(pod: string, cmd: string[], timeoutMs = 30_000): Promise<CommandResult> {
    const [namespace = '', name = ''] = pod.split('/');
    const uid = (await this.core().readNamespacedPod({ namespace, name })).metadata?.uid ?? '';
    if (!this.#prefix) {
      const status = await ambientctl(['local', 'status', '--data-dir', this.dataDir, '-o', 'json'], { timeoutMs: 30_000 });
      this.#prefix = (JSON.parse(status.stdout) as { prefix: string }).prefix;
    }
    return run('ip', ['netns', 'exec', `${this.#prefix}-pod-${uid.replace(/-/g, '').slice(0, 8)}`, ...cmd], { timeoutMs });
  }

  /** `ambientctl local <args>` against this cluster. */
  local(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    const [sub = '', ...rest] = args;
    return ambientctl(['local', sub, '--data-dir', this.dataDir, ...rest], { timeoutMs });
  }

  /** Creates or updates every object in a YAML text (multi-document). */
  async apply(yamlText: string): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    for (const doc of parseAllDocuments(yamlText)) {
      const obj = doc.toJS() as KubernetesObject | null;
      if (!obj) continue;
      try {
        const existing = await api.read(obj as KubernetesObject & { metadata: { name: string } });
        obj.metadata = { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion };
        await api.replace(obj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await api.create(obj);
      }
    }
  }

  /** Deletes one object given as YAML; a missing object is fine. */
  async delete(yamlText: string): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    for (const doc of parseAllDocuments(yamlText)) {
      const obj = doc.toJS() as KubernetesObject | null;
      if (!obj) continue;
      try {
        await api.delete(obj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  core(): CoreV1Api {
    return this.kubeConfig.makeApiClient(CoreV1Api);
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 404;
}

/** Polls `check` until it returns a value (not undefined), or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
