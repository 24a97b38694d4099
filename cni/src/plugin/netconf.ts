// The plugin's network configuration (stdin) and CNI_ARGS, validated with errors naming the field. Pure.
import { CniCode, CniError } from './cni-error.ts';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;

/** The fields of our plugin object (see the installer) plus the runtime's prevResult. */
export interface NetConf {
  readonly cniVersion: string;
  readonly name: string;
  readonly type: string;
  readonly agentRunDir: string;
  readonly ambientEnabled: boolean;
  readonly excludeNamespaces: readonly string[];
  readonly logLevel: string;
  readonly prevResult: Record<string, unknown> | undefined;
}

/** K8S_* keys of CNI_ARGS. */
export interface K8sArgs {
  readonly podName: string;
  readonly podNamespace: string;
  readonly podUid: string;
}

function bad(field: string, why: string): CniError {
  return new CniError(CniCode.InvalidConfig, `invalid network config: field "${field}" ${why}`);
}

function str(obj: Record<string, unknown>, field: string, required: boolean, def = ''): string {
  const v = obj[field];
  if (v === undefined || v === null) {
    if (required) throw bad(field, 'is required');
    return def;
  }
  if (typeof v !== 'string') throw bad(field, `must be a string, got ${typeof v}`);
  if (required && v === '') throw bad(field, 'must not be empty');
  return v;
}

/** Parses and checks the config JSON from stdin. */
export function parseNetConf(stdin: string): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CniCode.DecodeFailure, `network config on stdin is not JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CniError(CniCode.DecodeFailure, 'network config on stdin must be a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  const cniVersion = str(obj, 'cniVersion', true);
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion)) {
    throw new CniError(
      CniCode.IncompatibleVersion,
      `invalid network config: field "cniVersion" is ${JSON.stringify(cniVersion)}; supported: ${SUPPORTED_VERSIONS.join(', ')}`,
    );
  }
  const ambient = obj['ambient_enabled'];
  if (ambient !== undefined && typeof ambient !== 'boolean') throw bad('ambient_enabled', 'must be a boolean');
  const exclude = obj['exclude_namespaces'] ?? [];
  if (!Array.isArray(exclude) || exclude.some((e) => typeof e !== 'string')) {
    throw bad('exclude_namespaces', 'must be an array of strings');
  }
  const prev = obj['prevResult'];
  if (prev !== undefined && (prev === null || typeof prev !== 'object' || Array.isArray(prev))) {
    throw bad('prevResult', 'must be an object');
  }
  return {
    cniVersion,
    name: str(obj, 'name', true),
    type: str(obj, 'type', true),
    agentRunDir: str(obj, 'cni_agent_run_dir', false, '/var/run/istio-cni'),
    ambientEnabled: ambient !== false,
    excludeNamespaces: exclude as string[],
    logLevel: str(obj, 'plugin_log_level', false, 'info'),
    prevResult: prev as Record<string, unknown> | undefined,
  };
}

/** Parses `K=V;K=V` CNI_ARGS; returns undefined when the K8S pod keys are absent (not a Kubernetes pod). */
export function parseK8sArgs(cniArgs: string | undefined): K8sArgs | undefined {
  const map = new Map<string, string>();
  for (const part of (cniArgs ?? '').split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.InvalidEnv, `CNI_ARGS: ${JSON.stringify(part)} is not KEY=VALUE`);
    map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const podName = map.get('K8S_POD_NAME') ?? '';
  const podNamespace = map.get('K8S_POD_NAMESPACE') ?? '';
  if (podName === '' || podNamespace === '') return undefined;
  return { podName, podNamespace, podUid: map.get('K8S_POD_UID') ?? '' };
}
