// Runs the benchmarks (`<pkg>/bench/*.bench.ts`), one process each, in order. Benchmarks print their figures,
// as ratios against a baseline measured in the same run; they never fail on timing, only on errors.
// Arguments narrow the run to files whose path contains one of them: `npm run bench -- hbone`.
import { globSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = globSync('*/bench/**/*.bench.ts', { exclude: (f) => f.includes('node_modules') })
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('run-bench: no benchmark matched', filters);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`run-bench: ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
