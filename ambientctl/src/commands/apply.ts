// `ambientctl apply -f <file|dir|->…`: create or update objects in whatever cluster the kubeconfig points at.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { applyOrder, loadManifests } from './apply-load.ts';
import { apiErrorMessage, applyObject, ApplyObjectApi, type ApplyTarget } from './apply-object.ts';

interface ApplyFlags {
  readonly filename: string[];
  readonly kubeconfig?: string;
  readonly namespace?: string;
}

/** Where `apply` writes; tests pass collectors. */
export interface ApplyOutput {
  out(line: string): void;
  err(line: string): void;
}

/** How long to wait for a kind whose CRD this same run created to show up in discovery. */
const NEW_KIND_WAIT_MS = 5_000;
const NEW_KIND_POLL_MS = 100;

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path === undefined) kc.loadFromDefault();
  else kc.loadFromFile(path);
  return kc;
}

function isUnknownKind(err: unknown): boolean {
  return err instanceof Error && /does not serve kind/.test(err.message);
}

/**
 * Applies every manifest from `paths` (Namespaces and CRDs first); prints one line per object and one error line
 * per failure naming its file and document. Returns the number of failures.
 */
export async function runApply(paths: readonly string[], target: ApplyTarget, output: ApplyOutput, stdin: () => string): Promise<number> {
  let failures = 0;
  let crdApplied = false;
  for (const m of applyOrder(loadManifests(paths, stdin))) {
    if ('error' in m) {
      failures++;
      output.err(`error: ${m.source}: ${m.error}`);
      continue;
    }
    try {
      const deadline = Date.now() + NEW_KIND_WAIT_MS;
      let applied;
      for (;;) {
        try {
          applied = await applyObject(target, m.object);
          break;
        } catch (err) {
          // A CRD created a moment ago may take a little while to be served.
          if (!crdApplied || !isUnknownKind(err) || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, NEW_KIND_POLL_MS));
        }
      }
      if (m.object.kind === 'CustomResourceDefinition') crdApplied = true;
      output.out(`${applied.ref} ${applied.outcome}`);
    } catch (err) {
      failures++;
      output.err(`error: ${m.source}: ${m.object.kind}/${m.object.metadata.name}: ${apiErrorMessage(err)}`);
    }
  }
  return failures;
}

/** `ambientctl apply`. */
export function applyCommand(): Command {
  return new Command('apply')
    .description(
      'Create or update objects from YAML or JSON manifests (multi-document, List kinds, directories recursively, ' +
        '"-" for stdin) in the cluster the kubeconfig points at. Exits 1 if any object failed; the others are still applied.',
    )
    .requiredOption('-f, --filename <path>', 'file, directory or - (repeatable)', (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('-n, --namespace <ns>', "namespace for namespaced objects that name none (default: the context's, else default)")
    .action(async (flags: ApplyFlags) => {
      const kc = loadKubeConfig(flags.kubeconfig);
      const client = ApplyObjectApi.forConfig(kc);
      const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
      const target: ApplyTarget = { client, namespace: flags.namespace, defaultNamespace: contextNamespace ?? 'default' };
      const failures = await runApply(flags.filename, target, { out: (l) => console.log(l), err: (l) => console.error(l) }, () =>
        readFileSync(0, 'utf8'),
      );
      if (failures > 0) throw new CommanderError(1, 'ambientctl.apply', `${failures} object(s) failed`);
    });
}
