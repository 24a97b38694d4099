// Builds one of the mesh's shipped bundles (scripts/bundle.mjs) for a test. It goes into <package>/build/, beside
// the package, so the npm packages the bundle imports resolve as they do in production.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { commonPackageDir } from '../package-dir.ts';

/** A bundle built for a test; remove() deletes it. */
export interface TestBundle {
  readonly file: string;
  remove(): void;
}

/** Bundles `program` (a name scripts/bundle.mjs knows) into a fresh folder under `packageDir`/build; throws with
 * the bundler's output when it fails. */
export function buildTestBundle(program: string, packageDir: string): TestBundle {
  const buildDir = join(packageDir, 'build');
  mkdirSync(buildDir, { recursive: true });
  const out = mkdtempSync(join(buildDir, `${program}-bundle-`));
  const bundler = join(commonPackageDir(), '..', 'scripts', 'bundle.mjs');
  const built = spawnSync(process.execPath, [bundler, program, '--outdir', out], { encoding: 'utf8' });
  if (built.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`bundling ${program} failed (exit ${built.status}): ${built.stderr || built.stdout}`);
  }
  return { file: join(out, `${program}.mjs`), remove: () => rmSync(out, { recursive: true, force: true }) };
}
