// Runs every test layer that exists with node's built-in runner: unit tests beside the code
// (<pkg>/src/**/*.test.ts), component tests (<pkg>/test/**/*.test.ts) and e2e tests (e2e/tests/**/*.test.ts).
// Arguments narrow the run to files whose path contains one of them: `npm run test:unit -- xds hbone`.
import { globSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const PACKAGES = ['common', 'istiod', 'ztunnel', 'waypoint', 'cni', 'ambientctl', 'e2e'];
const PATTERNS = PACKAGES.flatMap((p) => [`${p}/src/**/*.test.ts`, `${p}/test/**/*.test.ts`, `${p}/tests/**/*.test.ts`]);
/** Upper bound for one test, so a broken test fails instead of hanging CI. */
const TEST_TIMEOUT_MS = 180_000;

const filters = process.argv.slice(2);
const files = globSync(PATTERNS, { exclude: (f) => f.includes('node_modules') })
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched', filters.length ? filters : PATTERNS);
  process.exit(1);
}
console.log(`run-tests: ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  ['--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
