// The built-in image catalogue of the local cluster. Images are never pulled: a known image name maps to a program
// shipped with the project, any other image runs the container's `command`/`args` as given.
import { fileURLToPath } from 'node:url';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ImageError } from './image-error.ts';

/** The echo app image (any tag or digest). */
export const ECHO_IMAGE = 'ambient/echo';

/** The echo app's entry point, run by the project's Node 24. */
export const ECHO_MAIN = fileURLToPath(new URL('./echo/main.ts', import.meta.url));

/** What the kubelet starts for one container. */
export interface ResolvedImage {
  /** The full argv: the executable first, then its arguments (the container's args already appended). */
  readonly command: readonly string[];
  /**
   * Environment for the process: the catalogue's variables, overridden by the container's literal `env` values
   * (`valueFrom` entries are left to the kubelet).
   */
  readonly env: Readonly<Record<string, string>>;
}

/** `registry:5000/ambient/echo:1.2@sha256:…` → `registry:5000/ambient/echo`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Whether `image` names the built-in echo app (`ambient/echo`, optionally with a `docker.io/` prefix). */
export function isEchoImage(image: string | undefined): boolean {
  if (image === undefined) return false;
  const repo = imageRepository(image.trim());
  return repo === ECHO_IMAGE || repo === `docker.io/${ECHO_IMAGE}`;
}

/** `PORTS` for the echo app: `<containerPort>:<name>` for every TCP container port (`http` when unnamed). */
export function echoPortsSpec(container: V1Container): string {
  return (container.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP')
    .map((p) => `${p.containerPort}:${p.name ?? 'http'}`)
    .join(',');
}

function literalEnv(container: V1Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined && e.valueFrom === undefined) env[e.name] = e.value;
  }
  return env;
}

function echoEnv(container: V1Container, pod: V1Pod | undefined): Record<string, string> {
  const env: Record<string, string> = { PORTS: echoPortsSpec(container) };
  const meta = pod?.metadata;
  if (meta?.name) env['POD_NAME'] = meta.name;
  if (meta?.namespace) env['POD_NAMESPACE'] = meta.namespace;
  const version = meta?.labels?.['version'] ?? meta?.labels?.['app.kubernetes.io/version'];
  if (version) env['SERVICE_VERSION'] = version;
  return env;
}

function podRef(pod: V1Pod | undefined): string {
  const meta = pod?.metadata;
  return meta?.name ? `pod ${meta.namespace ?? 'default'}/${meta.name}` : 'pod';
}

/**
 * What to run for `container` of `pod`. `ambient/echo` runs the echo app on Node 24 with `PORTS` from the
 * container's ports (a `command`, when given, replaces the entry point as in a real runtime); any other image
 * runs `command` + `args` as given (there is no image entry point, so `args` alone are the whole argv).
 */
export function resolveImage(container: V1Container, pod?: V1Pod): ResolvedImage {
  const args = container.args ?? [];
  const command = container.command ?? [];
  if (isEchoImage(container.image)) {
    const argv = command.length > 0 ? [...command, ...args] : [process.execPath, ECHO_MAIN, ...args];
    return { command: argv, env: { ...echoEnv(container, pod), ...literalEnv(container) } };
  }
  if (command.length === 0 && args.length === 0) {
    throw new ImageError(
      'ERR_IMAGE_NO_COMMAND',
      `${podRef(pod)} container "${container.name}": image "${container.image ?? ''}" is not in the built-in catalogue ` +
        `(${ECHO_IMAGE}) and the container has neither command nor args; images are not pulled in the local cluster, so give a command`,
    );
  }
  return { command: [...command, ...args], env: literalEnv(container) };
}
