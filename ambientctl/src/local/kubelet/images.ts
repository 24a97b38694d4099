// What a container runs: the built-in image catalogue (images/) maps known images to programs shipped with
// the project; any other image runs the container's command/args.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { resolveImage } from '../images/index.ts';

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  workingDir?: string;
}

export interface ResolvedContainer {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The program, arguments and extra env of a container; throws (ImageError) when there is nothing to run. */
export function resolveContainer(c: ContainerSpec, pod: unknown): ResolvedContainer {
  const r = resolveImage(c as V1Container, pod as V1Pod);
  const [command, ...args] = r.command;
  return { command: command ?? '', args, env: { ...r.env } };
}
