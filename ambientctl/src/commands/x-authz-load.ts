import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { type Authorization, type ConvertedPolicies, convertPolicies, fromProtoJson } from '@mesh/common/authz';

/** Options shared by `convert` and `check`. */
export interface LoadOptions {
  readonly file: string;
  readonly rootNamespace: string;
}

/**
 * Reads a multi-document YAML file of AuthorizationPolicy/PeerAuthentication objects and/or already converted
 * Authorization resources (documents without `kind`), and returns what ztunnel would receive. Dry-run policies
 * are converted with `dryRun: true`, as istiod does when ambient dry-run support is on.
 */
export function loadPolicies(opts: LoadOptions): ConvertedPolicies {
  let text: string;
  try {
    text = readFileSync(opts.file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${opts.file} is not YAML`);
  const objects: unknown[] = [];
  docs.forEach((doc, i) => {
    const first = doc.errors[0];
    if (first) throw new Error(`${opts.file}: document ${i + 1}: ${first.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  });
  const kube = objects.filter(hasKind);
  const converted = convertPolicies(opts.rootNamespace, kube, { enableDryRun: true });
  const resources: Authorization[] = objects.filter((o) => !hasKind(o)).map(fromProtoJson);
  return { policies: [...converted.policies, ...resources], warnings: converted.warnings };
}

function hasKind(o: unknown): boolean {
  return typeof o === 'object' && o !== null && 'kind' in o;
}

/** Commander reports its own usage errors with exit code 1; bad input to ambientctl exits 2. */
export function usageErrorsExit2(err: { exitCode: number }): never {
  if (err.exitCode !== 0) err.exitCode = 2;
  throw err;
}
