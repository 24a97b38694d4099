// Where @mesh/common's own files (protos, the native addon) are on disk. Resolved through the package's name
// rather than relative to the calling module, so the answer is the same when common's code runs from its
// sources and when it runs inside a component's bundle (scripts/bundle.mjs), which lives in another folder.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let dir: string | undefined;

/** The @mesh/common package folder (the one holding its package.json). */
export function commonPackageDir(): string {
  dir ??= dirname(createRequire(import.meta.url).resolve('@mesh/common/package.json'));
  return dir;
}

/** A require() that resolves packages as common's own code does (from common's package.json): a dependency
 * npm installed under common/node_modules is found from a bundle elsewhere too. */
export function requireFromCommon(): NodeJS.Require {
  return createRequire(join(commonPackageDir(), 'package.json'));
}
